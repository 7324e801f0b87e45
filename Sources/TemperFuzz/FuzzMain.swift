import Foundation

// Built two ways (see Fixtures/fuzz/run.sh):
//  - with -DFUZZING and -sanitize=fuzzer,address: libFuzzer's main drives
//    `LLVMFuzzerTestOneInput`; the target is chosen by TEMPER_FUZZ_TARGET;
//  - plainly: `temper-fuzz TARGET FILE…` replays inputs (a corpus, or a crash libFuzzer
//    found) through one target and prints how each was refused.

#if FUZZING
import CFuzzDriver

// SwiftPM links an executable target's entry point as `<Target>_main` (main is an alias of
// it), so the fuzzing build provides that symbol and hands control to libFuzzer's driver.
@_cdecl("TemperFuzz_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
}

nonisolated(unsafe) private var selected: (@Sendable (Data) throws -> Void)?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    if selected == nil {
        let name = ProcessInfo.processInfo.environment["TEMPER_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTargets.all[name] else {
            FileHandle.standardError.write(Data("TEMPER_FUZZ_TARGET must be one of \(FuzzTargets.all.keys.sorted())\n".utf8))
            exit(64)
        }
        selected = target
    }
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    refusalsIgnored { try selected?(data) }
    return 0
}
#else
@main
struct FuzzReplay {
    static func main() {
        let args = Array(CommandLine.arguments.dropFirst())
        guard let name = args.first, let target = FuzzTargets.all[name], args.count >= 2 else {
            print("usage: temper-fuzz TARGET FILE…   (TARGET: \(FuzzTargets.all.keys.sorted().joined(separator: ", ")))")
            exit(64)
        }
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { print("\(path): unreadable"); continue }
            do { try target(data); print("\(path): accepted") } catch { print("\(path): refused: \(error.localizedDescription)") }
        }
    }
}
#endif
