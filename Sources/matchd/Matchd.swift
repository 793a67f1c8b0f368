import ArgumentParser

/// The entry point: the right OpenBLAS kernels first (`OpenBLASCore`), then the command.
@main
enum Main {
    static func main() async {
        OpenBLASCore.adoptPreferredCore()
        await Matchd.main()
    }
}

/// The `matchd` executable: the service and its tools.
struct Matchd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matchd",
        abstract: "Talent matching against a post-competency model.",
        subcommands: [ServeCommand.self, DemoCommand.self, ImportCommand.self, MatchCommand.self, ExtractCommand.self, ClassifyCommand.self,
                      ModelCommand.self, KeysCommand.self, MarketCommand.self])
}
