using System.Globalization;
using System.Text.RegularExpressions;
using CliWrap;
using CliWrap.Buffered;
using TraceExporter.Kernel;

namespace TraceExporter.Probes;

/// <summary>
/// What must be true before any probe can run. Each missing thing is one line that says what to do,
/// and all of them are reported at once.
/// </summary>
public static partial class Prerequisites
{
    public static readonly Version MinimumBpftrace = new(0, 14, 0);

    // capability numbers from linux/capability.h
    private const int CapSysAdmin = 21, CapPerfmon = 38, CapBpf = 39;

    public sealed record Report(Version? BpftraceVersion, IReadOnlyList<string> Problems);

    public static async Task<Report> CheckAsync(ChildProcessLauncher launcher, string bpftracePath, HostFacts host, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var version = await BpftraceVersionAsync(launcher, bpftracePath, problems, cancellationToken).ConfigureAwait(false);

        if (!host.Tracefs.IsMounted)
        {
            problems.Add($"tracefs is not mounted at {host.Tracefs.Root}: run 'mount -t tracefs nodev {host.Tracefs.Root}' (or add it to /etc/fstab)");
        }

        if (host.Btf is null)
        {
            problems.Add($"{host.BtfProblem}; the built-in probes read kernel structures through BTF");
        }

        if (MissingCapabilities() is { } missing)
        {
            problems.Add(missing);
        }

        return new Report(version, problems);
    }

    private static async Task<Version?> BpftraceVersionAsync(ChildProcessLauncher launcher, string path, List<string> problems, CancellationToken cancellationToken)
    {
        BufferedCommandResult result;
        try
        {
            var command = CliWrap.Cli.Wrap(path).WithArguments("--version").WithValidation(CommandResultValidation.None);
            var running = await launcher.StartAsync(() => command.ExecuteBufferedAsync(cancellationToken)).ConfigureAwait(false);
            result = await running.ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or CliWrap.Exceptions.CliWrapException or InvalidOperationException)
        {
            problems.Add($"bpftrace not found at '{path}': install it (apt-get install bpftrace) or set bpftrace.path in the configuration");
            return null;
        }

        var match = VersionPattern().Match(result.StandardOutput + result.StandardError);
        if (!match.Success)
        {
            problems.Add($"'{path} --version' did not print a bpftrace version (got: {result.StandardOutput.Trim()})");
            return null;
        }

        var version = new Version(
            int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(match.Groups[3].Value, CultureInfo.InvariantCulture));
        if (version < MinimumBpftrace)
        {
            problems.Add($"bpftrace {version} is too old: TraceExporter needs {MinimumBpftrace} or newer");
        }

        return version;
    }

    /// <summary>bpftrace needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN on kernels before 5.8), plus reading tracefs.</summary>
    private static string? MissingCapabilities()
    {
        var status = File.Exists("/proc/self/status") ? File.ReadAllLines("/proc/self/status") : [];
        var line = status.FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
        if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var effective))
        {
            return null; // cannot tell: let bpftrace say
        }

        bool Has(int cap) => (effective & (1UL << cap)) != 0;
        if (Has(CapSysAdmin) || (Has(CapBpf) && Has(CapPerfmon)))
        {
            return null;
        }

        var missing = new List<string>();
        if (!Has(CapBpf))
        {
            missing.Add("CAP_BPF");
        }

        if (!Has(CapPerfmon))
        {
            missing.Add("CAP_PERFMON");
        }

        return $"not enough privilege to load BPF programs: missing {string.Join(" and ", missing)} " +
            "(run as root, or grant CAP_BPF, CAP_PERFMON, CAP_DAC_READ_SEARCH and CAP_SYS_RESOURCE; CAP_SYS_ADMIN on kernels before 5.8)";
    }

    [GeneratedRegex(@"v?(\d+)\.(\d+)\.(\d+)")]
    private static partial Regex VersionPattern();
}
