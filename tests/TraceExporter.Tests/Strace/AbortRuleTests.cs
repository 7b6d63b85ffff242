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
    [InlineData("openat:ENOENT:/lib/firmware/*", "/lib/firmware/x.bin", "ENOENT", true)]
    [InlineData("openat:ENOENT:/lib/firmware/*", "/lib/firmware/intel/sub/x.bin", "ENOENT", true)]
    [InlineData("openat:ENOENT:/lib/firmware/*", "/usr/lib/locale/locale-archive", "ENOENT", false)]
    [InlineData("openat:ENOENT:/lib/firmware/*", "/lib/firmware", "ENOENT", false)]
    [InlineData("openat:ENOENT:/lib/firmware/*", "lib/firmware/x.bin", "ENOENT", false)]
    [InlineData("openat:ENOENT:/lib/firmware/*", "/lib/firmware/x.bin", "EACCES", false)]
    [InlineData("openat:ENOENT,EACCES:/etc/*.conf", "/etc/app.conf", "EACCES", true)]
    [InlineData("openat:ENOENT:/etc/*.conf", "/etc/app.conf.d", "ENOENT", false)]
    [InlineData("openat:ENOENT:/dev/sd?", "/dev/sda", "ENOENT", true)]
    [InlineData("openat:ENOENT:/dev/sd?", "/dev/sda1", "ENOENT", false)]
    [InlineData("openat::/secret/*", "/secret/key", "EPERM", true)]
    [InlineData("openat:ENOENT:/data/a:b", "/data/a:b", "ENOENT", true)]
    [InlineData("openat:ENOENT:/LIB/*", "/lib/x", "ENOENT", false)]
    public void A_path_pattern_stops_only_on_a_failing_call_whose_path_matches(string rule, string path, string errno, bool expected)
    {
        Assert.True(AbortRule.TryParse(rule, out var parsed, out var error), error);

        Assert.Equal(expected, parsed!.Matches(new SyscallEvent(1, "openat", SyscallOutcome.Error, errno, path)));
        Assert.False(parsed.Matches(new SyscallEvent(1, "openat", SyscallOutcome.Error, errno, null)));
        Assert.Equal(rule, parsed.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("openat:ENOENT:")]
    [InlineData("openat\n")]
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
