using System.CommandLine;

namespace TraceExporter.Tests.Cli;

/// <summary>A duration too large on the command line is a usage error (exit 2) with a message, never an exception.</summary>
[Collection(nameof(ConsoleRedirection))]
public sealed class DurationOptionTests
{
    [Fact]
    public async Task Once_with_a_huge_duration_exits_2_naming_the_range()
    {
        var (code, stderr) = await ConsoleRedirection.RunAsync(() => OnceCommand.RunAsync("/nonexistent/te.yaml", "999999999h", "/tmp/te-once.prom", "warn", CancellationToken.None));

        Assert.Equal(2, code);
        Assert.Contains("--duration: '999999999h' must be a duration from 1s to 24h", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--grace", "99999999999999999999m", "--grace '99999999999999999999m' must be a duration from 0 to 1h")]
    [InlineData("--grace", "1e400s", "--grace '1e400s' must be a duration from 0 to 1h")]
    [InlineData("--hold", "999999999h", "--hold '999999999h' must be a duration from 0 to 10s")]
    public async Task Guard_with_a_huge_duration_exits_2_naming_the_range(string option, string value, string expected)
    {
        var root = new RootCommand { GuardCommand.Create() };

        var (code, stderr) = await ConsoleRedirection.RunAsync(() => root.Parse(["guard", "--abort-on", "openat", option, value, "--", "/bin/true"]).InvokeAsync());

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
