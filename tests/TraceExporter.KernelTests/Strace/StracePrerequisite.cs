using TraceExporter.KernelTests.Infrastructure;
using Xunit;

namespace TraceExporter.KernelTests.Strace;

/// <summary>strace and dash on PATH: skipped on a developer machine without them, a failure with <c>CI=true</c>.</summary>
internal static class StracePrerequisite
{
    public static void Require()
    {
        var missing = new[] { "strace", "dash", "mkfifo" }.Where(tool => KernelPrerequisites.FindOnPath(tool) is null).ToList();
        if (!Environment.IsPrivilegedProcess)
        {
            missing.Add("root");
        }

        if (missing.Count == 0)
        {
            return;
        }

        var message = "strace test prerequisites missing: " + string.Join(", ", missing);
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Skip.If(true, message);
    }
}
