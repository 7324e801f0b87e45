import TemperCLI
#if canImport(Glibc)
import Glibc
#endif

// A file-size limit (ulimit -f) must surface as a write error (EFBIG, reported and cleaned
// up like a full disk), not as SIGXFSZ killing the process mid-write.
signal(SIGXFSZ, SIG_IGN)
TemperMain.prepareProcess()
exit(TemperMain.run(Array(CommandLine.arguments.dropFirst())))
