import Foundation
import Testing

@Suite struct TemperMainTests {
    @Test func helpListsCommandsAndExitsZero() throws {
        let result = try CLI.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE"))
    }

    @Test func unknownOptionIsUsageError() throws {
        let result = try CLI.run(["--no-such-flag"])
        #expect(result.status == 64)
        #expect(!result.stderr.isEmpty)
    }
}
