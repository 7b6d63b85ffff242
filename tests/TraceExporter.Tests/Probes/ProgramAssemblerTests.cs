using TraceExporter.Probes;

namespace TraceExporter.Tests.Probes;

public sealed class ProgramAssemblerTests
{
    [Fact]
    public void The_program_says_ready_from_BEGIN_and_prints_every_map_on_the_interval_without_clearing()
    {
        var program = ProgramAssembler.Assemble([("@a", "tracepoint:x:y { @a = count(); }"), ("@b", "tracepoint:x:z { @b = count(); }")], TimeSpan.FromSeconds(5));

        Assert.StartsWith("BEGIN { printf(\"trace_exporter:ready\\n\"); }", program, StringComparison.Ordinal);
        Assert.Contains("interval:s:5 { print(@a); print(@b); }", program, StringComparison.Ordinal);
        Assert.DoesNotContain("clear(", program, StringComparison.Ordinal);
    }

    [Fact]
    public void Sub_second_intervals_use_milliseconds()
    {
        var program = ProgramAssembler.Assemble([("@a", "tracepoint:x:y { @a = count(); }")], TimeSpan.FromMilliseconds(500));

        Assert.Contains("interval:ms:500 {", program, StringComparison.Ordinal);
    }
}
