import ArgumentParser

/// The `matchd` executable: the service and its tools.
@main
struct Matchd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matchd",
        abstract: "Talent matching against a post-competency model.",
        subcommands: [ServeCommand.self, DemoCommand.self, ImportCommand.self, MatchCommand.self, ExtractCommand.self, ClassifyCommand.self,
                      ModelCommand.self, KeysCommand.self, MarketCommand.self])
}
