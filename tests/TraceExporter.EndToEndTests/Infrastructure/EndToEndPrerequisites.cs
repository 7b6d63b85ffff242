using Xunit;

namespace TraceExporter.EndToEndTests.Infrastructure;

/// <summary>
/// The real programs these tests drive. Missing ones skip the test on a developer machine and fail it when
/// <c>CI=true</c>, so CI cannot go green by skipping.
/// </summary>
internal static class EndToEndPrerequisites
{
    private static readonly string[] Tools =
        ["bpftrace", "prometheus", "promtool", "prometheus-node-exporter", "openssl", "ip", "nft", "python3"];

    public static void Require(params string[] tools)
    {
        var missing = (tools.Length == 0 ? Tools : tools).Where(t => FindOnPath(t) is null).Select(t => $"'{t}' not on PATH").ToList();
        if (tools.Length == 0 || tools.Contains("bpftrace"))
        {
            if (!Directory.Exists("/sys/kernel/tracing/events"))
            {
                missing.Add("tracefs not mounted at /sys/kernel/tracing");
            }

            if (!File.Exists("/sys/kernel/btf/vmlinux"))
            {
                missing.Add("no kernel BTF at /sys/kernel/btf/vmlinux");
            }

            if (!Environment.IsPrivilegedProcess)
            {
                missing.Add("not running as root");
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        var message = "end-to-end prerequisites missing: " + string.Join("; ", missing);
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(message);
        }

        Skip.If(true, message);
    }

    public static string? FindOnPath(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
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
