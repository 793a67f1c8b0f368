import ArgumentParser
import Testing
@testable import matchd

/// `matchd serve`'s configuration: flag > `MATCHD_*` environment variable > default.
@Suite struct ServeConfigTests {
    @Test func maxImportBytesHasAFlagAndAnEnvironmentVariable() throws {
        let env = ["MATCHD_MAX_IMPORT_BYTES": "4194304"]
        #expect(try ServeCommand.parse([]).resolvedConfig([:]).maxImportBytes == MatchdConfig().maxImportBytes)
        #expect(try ServeCommand.parse([]).resolvedConfig(env).maxImportBytes == 4_194_304)
        #expect(try ServeCommand.parse(["--max-import-bytes", "2097152"]).resolvedConfig(env).maxImportBytes == 2_097_152)
        // Below the JSON body limit it is refused, naming the flag.
        #expect(throws: ConfigError.self) { try ServeCommand.parse(["--max-import-bytes", "1000"]).resolvedConfig([:]) }
    }

    /// Search coalescing and the market's start-up computation: defaults, environment, flags
    /// winning over the environment, and values out of range or unreadable refused with the name
    /// of the variable or flag.
    @Test func coalescingAndMarketAtStartResolveAndValidate() throws {
        let defaults = try ServeCommand.parse([]).resolvedConfig([:])
        #expect(defaults.searchLanes == 1 && defaults.gatherMicroseconds == 300 && defaults.marketAtStart)
        let env = ["MATCHD_SEARCH_LANES": "2", "MATCHD_GATHER_MICROSECONDS": "0", "MATCHD_MARKET_AT_START": "false"]
        let fromEnv = try ServeCommand.parse([]).resolvedConfig(env)
        #expect(fromEnv.searchLanes == 2 && fromEnv.gatherMicroseconds == 0 && !fromEnv.marketAtStart)
        #expect(fromEnv.gatherWindow == .zero)
        let flags = try ServeCommand.parse(["--search-lanes", "3", "--gather-microseconds", "150", "--market-at-start"])
            .resolvedConfig(env)
        #expect(flags.searchLanes == 3 && flags.gatherWindow == .microseconds(150) && flags.marketAtStart)
        #expect(try !ServeCommand.parse(["--no-market-at-start"]).resolvedConfig([:]).marketAtStart)
        for (args, env, name) in [(["--search-lanes", "0"], [:], "--search-lanes"),
                                  (["--gather-microseconds", "5001"], [:], "--gather-microseconds"),
                                  ([], ["MATCHD_MARKET_AT_START": "maybe"], "MATCHD_MARKET_AT_START"),
                                  ([], ["MATCHD_SEARCH_LANES": "two"], "MATCHD_SEARCH_LANES")] as [([String], [String: String], String)] {
            #expect {
                try ServeCommand.parse(args).resolvedConfig(env)
            } throws: { error in
                "\(error)".contains(name)
            }
        }
    }
}
