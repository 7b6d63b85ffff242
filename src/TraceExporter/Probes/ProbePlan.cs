using TraceExporter.Configuration;

namespace TraceExporter.Probes;

/// <summary>
/// One probe as it will run, built-in or a user's alike: its program for this kernel, and the metrics its
/// maps and printf lines become. A built-in gives its program as <see cref="Blocks"/> (joined with other
/// built-ins' blocks on the same attach point); a user's program is <see cref="Program"/> as written, with
/// this kernel's offsets filled in.
/// </summary>
public sealed record ProbePlan
{
    public const string BuiltinSource = "builtin";
    public const string UserSource = "bpftrace";

    public required string Name { get; init; }

    /// <summary><see cref="BuiltinSource"/> or <see cref="UserSource"/>, for the landing page.</summary>
    public required string Source { get; init; }

    public IReadOnlyList<ProbeBlock>? Blocks { get; init; }

    /// <summary>The whole program (a leading <c>config = {…}</c> included) when there are no <see cref="Blocks"/>.</summary>
    public string? Program { get; init; }

    public IReadOnlyList<MapMetricConfig> Metrics { get; init; } = [];

    public IReadOnlyList<LineMetricConfig> Lines { get; init; } = [];

    /// <summary>The probe's program text: its blocks rendered, or its program.</summary>
    public string Text => Blocks is null ? Program ?? "" : ProbeBlock.Render(Blocks);

    /// <summary>The attach points of its probes (<c>tracepoint:sock:inet_sock_set_state</c>, …), as the landing page and <c>check</c> show them.</summary>
    public string Attach => string.Join(", ", (Blocks?.Select(b => b.AttachPoint) ?? AttachPoints(Program ?? "")).Distinct(StringComparer.Ordinal));

    /// <summary>The attach points named at the start of a program's probe blocks (not BEGIN/END/interval, which every program has).</summary>
    private static IEnumerable<string> AttachPoints(string program) =>
        System.Text.RegularExpressions.Regex.Matches(program, @"(?m)^\s*((?:tracepoint|rawtracepoint|kprobe|kretprobe|uprobe|uretprobe|usdt|fentry|fexit|kfunc|kretfunc|software|hardware|profile|watchpoint):[^\s{/,]+(?:\s*,\s*[a-z]+:[^\s{/,]+)*)")
            .Select(m => m.Groups[1].Value);
}
