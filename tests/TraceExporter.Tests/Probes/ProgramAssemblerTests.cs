using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

public sealed class ProgramAssemblerTests
{
    [Fact]
    public void The_program_says_ready_from_BEGIN_and_prints_every_map_on_the_interval_without_clearing_cumulative_ones()
    {
        var program = ProgramAssembler.Assemble(
            [new FakeMember("tracepoint:x:y { @a = count(); }", new MapPrint("@a", false)), new FakeMember("tracepoint:x:z { @b = count(); }", new MapPrint("@b", true))],
            TimeSpan.FromSeconds(5));

        Assert.StartsWith("BEGIN { printf(\"trace_exporter:ready\\n\"); }", program, StringComparison.Ordinal);
        Assert.Contains("interval:s:5 { print(@a); print(@b); clear(@b); }", program, StringComparison.Ordinal);
        Assert.DoesNotContain("clear(@a)", program, StringComparison.Ordinal);
    }

    [Fact]
    public void Sub_second_intervals_use_milliseconds()
    {
        var program = ProgramAssembler.Assemble([new FakeMember("tracepoint:x:y { @a = count(); }", new MapPrint("@a", false))], TimeSpan.FromMilliseconds(500));

        Assert.Contains("interval:ms:500 {", program, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_block_stays_first_where_bpftrace_requires_it()
    {
        var program = ProgramAssembler.Assemble(
            [new FakeMember("\nconfig = { max_map_keys = 100 }\ntracepoint:x:y { @a = count(); }", new MapPrint("@a", false))],
            TimeSpan.FromSeconds(1));

        Assert.StartsWith("config = { max_map_keys = 100 }\n", program, StringComparison.Ordinal);
        Assert.True(program.IndexOf("BEGIN", StringComparison.Ordinal) < program.IndexOf("tracepoint:x:y", StringComparison.Ordinal));
    }

    [Fact]
    public void A_program_with_its_own_BEGIN_gets_the_ready_marker_inside_it_since_bpftrace_before_0_25_allows_one()
    {
        var program = ProgramAssembler.Assemble(
            [new FakeMember("BEGIN { @start = nsecs; }\ntracepoint:x:y { @a = count(); }", new MapPrint("@a", false))],
            TimeSpan.FromSeconds(1));

        Assert.Single(System.Text.RegularExpressions.Regex.Matches(program, "BEGIN"));
        Assert.Contains("BEGIN { printf(\"trace_exporter:ready\\n\"); @start = nsecs; }", program, StringComparison.Ordinal);
    }

    private sealed class FakeMember(string program, MapPrint print) : ProbeMember
    {
        public override string Name => "fake";

        public override string Source => "test";

        public override string Program => program;

        public override IReadOnlyList<MapPrint> Prints => [print];

        public override IMapConsumer? ConsumerFor(ReadOnlySpan<byte> mapName) => null;

        public override void StartGeneration()
        {
        }
    }
}
