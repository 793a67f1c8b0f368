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
}
