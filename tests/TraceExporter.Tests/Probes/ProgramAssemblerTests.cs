using TraceExporter.Configuration;
using TraceExporter.Parsing;
using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

public sealed class ProgramAssemblerTests
{
    [Fact]
    public void The_program_says_ready_from_BEGIN_then_drains_the_copies_no_longer_written_and_switches_half_an_interval_later()
    {
        var program = ProgramAssembler.Assemble([Member("tracepoint:x:y { @a[pid] = count(); }", Delta("@a"))], TimeSpan.FromSeconds(5)).Text;

        Assert.StartsWith("BEGIN { printf(\"trace_exporter:ready\\n\"); }", program, StringComparison.Ordinal);
        Assert.Contains("interval:ms:2500 {", program, StringComparison.Ordinal);
        Assert.Contains("if (@te_slot == 1) { print(@a_te0); clear(@a_te0); } else { print(@a_te1); clear(@a_te1); }", program, StringComparison.Ordinal);
        Assert.Contains($"printf(\"{ControlLine.Drained} %llu\\n\", nsecs);", program, StringComparison.Ordinal);
        Assert.Contains("@te_slot = 1 - @te_slot;", program, StringComparison.Ordinal);
        Assert.Contains("END {\n  print(@a_te0); print(@a_te1); clear(@a_te0); clear(@a_te1); clear(@te_slot); clear(@te_tick);\n}", program, StringComparison.Ordinal);
        Assert.DoesNotContain("@a[", program, StringComparison.Ordinal);
    }

    [Fact]
    public void Cumulative_maps_are_printed_every_interval_and_never_cleared()
    {
        var program = ProgramAssembler.Assemble([Member("tracepoint:x:y { @c = count(); }", Cumulative("@c"))], TimeSpan.FromSeconds(5)).Text;

        Assert.Contains("interval:s:5 { print(@c); }", program, StringComparison.Ordinal);
        Assert.DoesNotContain("clear(@c)", program, StringComparison.Ordinal);
        Assert.DoesNotContain("END", program, StringComparison.Ordinal);
    }

    [Fact]
    public void Sub_second_intervals_tick_in_milliseconds()
    {
        var program = ProgramAssembler.Assemble([Member("tracepoint:x:y { @a = count(); }", Delta("@a"))], TimeSpan.FromMilliseconds(500)).Text;

        Assert.Contains("interval:ms:250 {", program, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_block_stays_first_where_bpftrace_requires_it()
    {
        var program = ProgramAssembler.Assemble([Member("\nconfig = { max_probes = 100 }\ntracepoint:x:y { @a = count(); }", Delta("@a"))], TimeSpan.FromSeconds(1)).Text;

        Assert.StartsWith("config = { max_probes = 100 }\n", program, StringComparison.Ordinal);
        Assert.True(program.IndexOf("BEGIN", StringComparison.Ordinal) < program.IndexOf("tracepoint:x:y", StringComparison.Ordinal));
    }

    [Fact]
    public void A_program_with_its_own_BEGIN_and_END_gets_ours_inside_them_since_bpftrace_before_0_25_allows_one_each()
    {
        var program = ProgramAssembler.Assemble(
            [Member("BEGIN { @start = nsecs; }\ntracepoint:x:y { @a = count(); }\nEND { clear(@start); }", Delta("@a"))],
            TimeSpan.FromSeconds(1)).Text;

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(program, "BEGIN"));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(program, "END"));
        Assert.Contains("BEGIN { printf(\"trace_exporter:ready\\n\"); @start = nsecs; }", program, StringComparison.Ordinal);
        Assert.Contains("END { print(@a_te0); print(@a_te1);", program, StringComparison.Ordinal);
        Assert.Contains("clear(@te_tick); clear(@start); }", program, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_line_that_writes_a_metric_map_is_known_with_its_probe_and_map()
    {
        var assembled = ProgramAssembler.Assemble(
            [
                Member("tracepoint:x:y { @a[pid,\n  tid] = count(); @c = sum(1); }", Delta("@a"), Cumulative("@c")) with { Name = "one" },
                Member("tracepoint:x:z { @b = hist(1); @other = count(); }", Delta("@b")) with { Name = "two" },
            ],
            TimeSpan.FromSeconds(1));
        var lines = assembled.Text.Split('\n');

        foreach (var (line, probe, map) in assembled.Writes)
        {
            var text = lines[line - 1];
            Assert.True(text.Contains(map, StringComparison.Ordinal) || text.Contains("tid]", StringComparison.Ordinal), $"line {line} '{text}' is said to write {map}");
        }

        Assert.Equal(["@a", "@b", "@c"], assembled.Writes.Select(w => w.Map).Distinct().Order());
        Assert.Equal(4, assembled.Writes.Count(w => w.Map == "@a")); // two copies, each two lines
        Assert.Contains(assembled.Writes, w => w.Probe == "two" && w.Map == "@b");
        Assert.DoesNotContain(assembled.Writes, w => w.Map == "@other");
    }

    private static ProbePlan Member(string program, params MapMetricConfig[] metrics) =>
        new() { Name = "fake", Source = ProbePlan.UserSource, Program = program, Metrics = metrics };

    private static MapMetricConfig Delta(string map) => new() { Map = map, Name = "x_" + map[1..] + "_total", Help = "X.", Update = MapUpdate.Delta };

    private static MapMetricConfig Cumulative(string map) => Delta(map) with { Update = MapUpdate.Cumulative };
}
