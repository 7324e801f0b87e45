import TemperCLI
#if canImport(Glibc)
import Glibc
#endif

exit(TemperMain.run(Array(CommandLine.arguments.dropFirst())))
