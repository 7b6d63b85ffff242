using System.Runtime.Versioning;
using Xunit;

// The kernel tests share one kernel, one loopback counter set and two cores: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

[assembly: SupportedOSPlatform("linux")]
