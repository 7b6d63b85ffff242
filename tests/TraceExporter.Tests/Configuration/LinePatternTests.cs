using TraceExporter.Configuration;

namespace TraceExporter.Tests.Configuration;

public sealed class LinePatternTests
{
    private static readonly string Evil = new string('a', 65) + "!";

    [Fact]
    public void A_pattern_without_backtracking_constructs_runs_in_linear_time_and_still_matches()
    {
        var pattern = LinePattern.Parse(@"^(\w+\s?)*$");

        Assert.True(pattern.IsLinear);
        Assert.Null(pattern.Match(Evil));
        Assert.NotNull(pattern.Match("hello world"));
    }

    [Fact]
    public void Named_groups_are_the_labels_in_order()
    {
        var pattern = LinePattern.Parse(@"^exec (?<comm>\S+) (?<pid>\d+)$");

        Assert.Equal(["comm", "pid"], pattern.GroupNames);
        Assert.Equal(new[] { "curl", "42" }, pattern.Match("exec curl 42"));
        Assert.Null(pattern.Match("exec curl x"));
    }

    [Theory]
    [InlineData(@"^(?<w>\w+) \k<w>$", "hey hey", "hey")] // backreference
    [InlineData(@"^(?<w>\w+)(?= end)", "word end", "word")] // lookahead
    [InlineData(@"^(?>(?<w>a+))b", "aab", "aa")] // atomic group
    public void A_pattern_that_needs_backtracking_keeps_the_backtracking_engine(string text, string line, string label)
    {
        var pattern = LinePattern.Parse(text);

        Assert.False(pattern.IsLinear);
        Assert.Equal(new[] { label }, pattern.Match(line));
    }

    [Fact]
    public void A_backtracking_pattern_that_times_out_on_a_line_does_not_match_it()
    {
        var pattern = LinePattern.Parse(@"^(\w+\s?)*(?=x)$");

        Assert.False(pattern.IsLinear);
        Assert.Null(pattern.Match(Evil));
    }

    [Fact]
    public void An_invalid_pattern_is_an_argument_exception_with_the_reason()
    {
        Assert.ThrowsAny<ArgumentException>(() => LinePattern.Parse("^exec (?<comm"));
    }
}
