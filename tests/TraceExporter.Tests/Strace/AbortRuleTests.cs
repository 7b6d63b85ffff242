using TraceExporter.Strace;

namespace TraceExporter.Tests.Strace;

public sealed class AbortRuleTests
{
    [Theory]
    [InlineData("openat:ENOENT", "openat", SyscallOutcome.Error, "ENOENT", true)]
    [InlineData("openat:ENOENT", "openat", SyscallOutcome.Error, "EACCES", false)]
    [InlineData("openat:ENOENT", "open", SyscallOutcome.Error, "ENOENT", false)]
    [InlineData("openat:ENOENT,EACCES", "openat", SyscallOutcome.Error, "EACCES", true)]
    [InlineData("connect", "connect", SyscallOutcome.Error, "ECONNREFUSED", true)]
    [InlineData("connect", "connect", SyscallOutcome.Ok, null, false)]
    public void A_rule_matches_only_failures_of_its_call_and_errnos(string rule, string syscall, SyscallOutcome outcome, string? errno, bool expected)
    {
        Assert.True(AbortRule.TryParse(rule, out var parsed, out _));

        Assert.Equal(expected, parsed!.Matches(new SyscallEvent(1, syscall, outcome, errno, null)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("OpenAt:ENOENT")]
    [InlineData("openat:enoent")]
    [InlineData("openat:")]
    [InlineData("openat:ENOENT,")]
    [InlineData("-e trace=all")]
    public void Malformed_rules_are_rejected_with_a_reason(string rule)
    {
        Assert.False(AbortRule.TryParse(rule, out _, out var error));
        Assert.Contains("--abort-on", error);
    }
}
