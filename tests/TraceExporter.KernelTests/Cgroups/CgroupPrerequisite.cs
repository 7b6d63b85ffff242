using TraceExporter.Kernel;
using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Cgroups;

/// <summary>The kernel prerequisites plus a cgroup2 mount: skipped on a developer machine without one, a failure with <c>CI=true</c>.</summary>
internal static class CgroupPrerequisite
{
    public static Cgroup2Mount Require()
    {
        KernelPrerequisites.Require();
        if (Cgroup2Mount.Discover() is { } mount)
        {
            return mount;
        }

        const string message = "cgroup test prerequisite missing: no cgroup2 mount in /proc/self/mountinfo (mount -t cgroup2 none /sys/fs/cgroup/unified)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Skip.If(true, message);
        throw new InvalidOperationException(message); // not reached: Skip.If throws
    }
}
