using CliWrap;
using CliWrap.Buffered;
using Microsoft.Win32.SafeHandles;
using TraceExporter.Configuration;
using TraceExporter.Kernel;

namespace TraceExporter.Probes;

/// <summary>
/// Whether the built-ins attach to typed raw tracepoints (<c>rawtracepoint:vmlinux:NAME</c>, bpftrace 0.24+),
/// which hand the program the tracepoint's own arguments instead of a trace event record built for it, or to
/// classic tracepoints. Found once at start: the names bpftrace itself lists as raw tracepoints of vmlinux.
/// </summary>
public static class RawTracepoints
{
    /// <summary>The first bpftrace with BTF-typed raw tracepoints named by module.</summary>
    public static readonly Version FirstTyped = new(0, 24, 0);

    /// <summary>Why the built-ins attach to classic tracepoints when the configuration says so.</summary>
    public const string ConfiguredClassic = "bpftrace.attach is 'tracepoint'";

    // Held for the life of the process: every bpftrace the daemon starts (restarts and reloads too) needs it.
    private static SafeFileHandle? s_anchor;
    private static readonly Lock Lock = new();

    /// <summary>The raw tracepoints the built-ins may use, or none with the reason they attach to classic tracepoints.</summary>
    public sealed record Support(IReadOnlySet<string> Names, string? Reason)
    {
        public static Support None(string reason) => new(new HashSet<string>(StringComparer.Ordinal), reason);
    }

    public static async Task<Support> DiscoverAsync(ChildProcessLauncher launcher, BpftraceSettings settings, Version bpftrace, CancellationToken cancellationToken)
    {
        if (settings.Attach == BuiltinAttach.Tracepoint)
        {
            return Support.None(ConfiguredClassic);
        }

        if (bpftrace < FirstTyped)
        {
            return Support.None($"bpftrace {bpftrace} has no typed raw tracepoints (0.24 and newer have)");
        }

        if (!BtfAnchor.HasModuleBtf() && HoldAnchor() is { } problem)
        {
            return Support.None($"this kernel has no module BTF, and the BTF object bpftrace then needs could not be loaded: {problem}");
        }

        BufferedCommandResult listed;
        try
        {
            var command = Cli.Wrap(settings.Path).WithArguments(["-l", "rawtracepoint:vmlinux:*"]).WithValidation(CommandResultValidation.None);
            var running = await launcher.StartAsync(() => command.ExecuteBufferedAsync(cancellationToken)).ConfigureAwait(false);
            listed = await running.ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or CliWrap.Exceptions.CliWrapException or InvalidOperationException)
        {
            return Support.None($"'{settings.Path} -l' failed: {e.Message}");
        }

        var names = Parse(listed.StandardOutput);
        return names.Count > 0
            ? new Support(names, null)
            : Support.None($"bpftrace {bpftrace} lists no raw tracepoints of vmlinux here ({FirstLine(listed.StandardError)})");
    }

    private static string? HoldAnchor()
    {
        lock (Lock)
        {
            string? problem = null;
            s_anchor ??= BtfAnchor.Load(out problem);
            return s_anchor is null ? problem : null;
        }
    }

    /// <summary>The names in <c>bpftrace -l 'rawtracepoint:vmlinux:*'</c> output (one <c>rawtracepoint:vmlinux:NAME</c> a line).</summary>
    public static IReadOnlySet<string> Parse(string listing)
    {
        const string Prefix = "rawtracepoint:vmlinux:";
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n'))
        {
            var text = line.Trim();
            if (text.StartsWith(Prefix, StringComparison.Ordinal) && text.Length > Prefix.Length)
            {
                names.Add(text[Prefix.Length..]);
            }
        }

        return names;
    }

    private static string FirstLine(string text) =>
        text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && !l.StartsWith("WARNING", StringComparison.Ordinal)) ?? "it printed nothing";
}
