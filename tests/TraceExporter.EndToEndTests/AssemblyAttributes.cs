using Xunit;

// The tests share the kernel and loopback; one at a time keeps each test's traffic its own.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

// bpftrace, network namespaces and nftables: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
