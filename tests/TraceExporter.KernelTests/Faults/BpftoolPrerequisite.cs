using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Faults;

/// <summary>The kernel prerequisites plus bpftool: skipped on a developer machine without it, a failure with <c>CI=true</c>.</summary>
internal static class BpftoolPrerequisite
{
    public static void Require()
    {
        KernelPrerequisites.Require();
        if (KernelPrerequisites.FindOnPath("bpftool") is not null)
        {
            return;
        }

        const string message = "fault test prerequisite missing: 'bpftool' not on PATH (apt-get install bpftool)";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Skip.If(true, message);
    }
}
