using System.Globalization;
using System.Text;

namespace TraceExporter.Probes;

/// <summary>
/// Joins probe programs into one bpftrace program: a BEGIN that says "ready" (BEGIN runs only after every
/// probe is attached, in all versions), the programs, and one interval block printing every map.
/// Cumulative maps are never cleared: the daemon turns snapshots into counter increments, so no event
/// between a print and a clear is lost. A user program's leading <c>config = {…}</c> block is kept first,
/// where bpftrace requires it.
/// </summary>
public static partial class ProgramAssembler
{
    public const string ReadyMarker = "trace_exporter:ready";

    private static readonly byte[] ReadyMarkerUtf8 = System.Text.Encoding.ASCII.GetBytes(ReadyMarker);

    /// <summary>Whether a printf record is the line BEGIN prints once every probe is attached.</summary>
    public static bool IsReadyMarker(ReadOnlySpan<byte> printf) => printf.TrimEnd((byte)'\n').SequenceEqual(ReadyMarkerUtf8);

    public static string Assemble(IEnumerable<ProbeMember> members, TimeSpan interval)
    {
        var list = members.ToList();
        var configBlocks = new StringBuilder();
        var bodies = new StringBuilder();

        // Members that give blocks (the built-ins) share one program per attach point.
        bodies.Append(ProbeBlock.Render(list.Where(m => m.Blocks is not null).SelectMany(m => m.Blocks!)));
        foreach (var member in list.Where(m => m.Blocks is null))
        {
            var (config, body) = SplitConfigBlock(member.Program);
            configBlocks.Append(config);
            bodies.Append(body.TrimEnd()).Append("\n\n");
        }

        var program = new StringBuilder();
        if (configBlocks.Length > 0)
        {
            program.Append(configBlocks).Append('\n');
        }

        // bpftrace before 0.25 allows one BEGIN: where a program has its own, the marker goes first inside it.
        var ready = $"printf(\"{ReadyMarker}\\n\");";
        var text = bodies.ToString();
        var begin = BeginBlock().Match(text);
        if (begin.Success)
        {
            text = text.Insert(begin.Index + begin.Length, $" {ready}");
        }
        else
        {
            program.Append(CultureInfo.InvariantCulture, $"BEGIN {{ {ready} }}\n\n");
        }

        program.Append(text);

        var prints = list.SelectMany(m => m.Prints).ToList();
        if (prints.Count > 0)
        {
            program.Append(IntervalProbe(interval)).Append(" {");
            foreach (var print in prints)
            {
                program.Append(" print(").Append(print.MapName).Append(");");
                if (print.Clear)
                {
                    program.Append(" clear(").Append(print.MapName).Append(");");
                }
            }

            program.Append(" }\n");
        }

        return program.ToString();
    }

    /// <summary>Splits a leading <c>config = { … }</c> (bpftrace 0.20+) from the rest of a program.</summary>
    public static (string Config, string Body) SplitConfigBlock(string program)
    {
        var start = 0;
        while (start < program.Length && char.IsWhiteSpace(program[start]))
        {
            start++;
        }

        if (!program.AsSpan(start).StartsWith("config", StringComparison.Ordinal))
        {
            return ("", program);
        }

        var rest = program.AsSpan(start + "config".Length).TrimStart();
        if (rest.IsEmpty || rest[0] != '=')
        {
            return ("", program);
        }

        var open = program.IndexOf('{', start);
        var close = open < 0 ? -1 : program.IndexOf('}', open);
        return close < 0 ? ("", program) : (program[start..(close + 1)] + "\n", program[(close + 1)..]);
    }

    /// <summary>A BEGIN probe's opening brace (not part of a longer name, e.g. a map @BEGIN_x).</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"(?<![\w@$])BEGIN\s*\{")]
    private static partial System.Text.RegularExpressions.Regex BeginBlock();

    /// <summary>Whole seconds where possible (every version has interval:s), milliseconds otherwise.</summary>
    private static string IntervalProbe(TimeSpan interval) =>
        interval.TotalMilliseconds % 1000 == 0
            ? $"interval:s:{(long)interval.TotalSeconds}"
            : $"interval:ms:{(long)interval.TotalMilliseconds}";
}
