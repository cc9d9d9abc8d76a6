import NIOCore
import NIOPosix

// Run Swift concurrency on NIO's event loops: request handlers, the upstream client and the
// connections then share threads, instead of hopping between Swift's pool and NIO's loops on every
// read and write (measured by Benchmarks/LoadHarness; see docs/performance.md). It has to happen
// before any task runs, so the command starts here rather than through `@main`.
NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
await CCRCommand.runFromCommandLine()
