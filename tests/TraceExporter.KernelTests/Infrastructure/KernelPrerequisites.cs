using Xunit;

namespace TraceExporter.KernelTests.Infrastructure;

/// <summary>
/// What a kernel test needs from the machine. Missing pieces skip the test on a developer machine and fail it
/// when <c>CI=true</c>, so CI cannot go green by skipping everything.
/// </summary>
internal static class KernelPrerequisites
{
    private static readonly string[] Tools = ["ip", "nft", "nstat", "ss", "promtool"];

    private static readonly Lazy<IReadOnlyList<string>> Missing = new(FindMissing);

    public static void Require()
    {
        if (Missing.Value.Count == 0)
        {
            return;
        }

        var message = "kernel test prerequisites missing: " + string.Join("; ", Missing.Value);
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Skip.If(true, message);
    }

    private static List<string> FindMissing()
    {
        var missing = new List<string>();
        if (TestBpftrace.Resolve() is null)
        {
            missing.Add($"bpftrace '{TestBpftrace.Path}' not found ({TestBpftrace.Variable} or PATH)");
        }

        missing.AddRange(Tools.Where(tool => FindOnPath(tool) is null).Select(tool => $"'{tool}' not on PATH"));
        if (!Directory.Exists("/sys/kernel/tracing/events"))
        {
            missing.Add("/sys/kernel/tracing/events does not exist (tracefs not mounted)");
        }

        if (!File.Exists("/sys/kernel/btf/vmlinux"))
        {
            missing.Add("/sys/kernel/btf/vmlinux does not exist (kernel without BTF)");
        }

        if (!Environment.IsPrivilegedProcess)
        {
            missing.Add("not running as root");
        }

        return missing;
    }

    public static string? FindOnPath(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & UnixFileMode.UserExecute) != 0)
            {
                return candidate;
            }
        }

        return null;
    }
}
