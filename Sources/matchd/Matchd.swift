import ArgumentParser

@main
struct Matchd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "matchd",
        abstract: "Talent matching against a post-competency model.")
}
