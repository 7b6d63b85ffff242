using TraceExporter.Configuration;
using TraceExporter.Strace;

namespace TraceExporter.Tests.Strace;

public sealed class StraceProbeSettingsTests
{
    [Fact]
    public void A_valid_probe_has_no_errors()
    {
        var settings = new StraceProbeSettings
        {
            Name = "nginx_files", TargetKind = StraceTargetKind.Name, Target = "nginx", Filters = ["trace=file", "status=failed"],
        };

        Assert.Empty(settings.Validate());
    }

    [Fact]
    public void Every_mistake_is_reported_at_once()
    {
        var settings = new StraceProbeSettings
        {
            Name = "",
            TargetKind = StraceTargetKind.Pid,
            Target = "12a",
            Arguments = ["x"],
            Filters = ["inject=openat:error=ENOENT", "-p1", "trace="],
            PollInterval = TimeSpan.FromMilliseconds(1),
        };

        var errors = settings.Validate();

        Assert.Equal(7, errors.Count);
        Assert.Contains(errors, e => e.Contains("'12a' is not a positive number"));
        Assert.Contains(errors, e => e.Contains("'inject=openat:error=ENOENT'"));
    }

    [Fact]
    public void A_name_longer_than_the_kernel_keeps_is_an_error()
    {
        var settings = new StraceProbeSettings { Name = "p", TargetKind = StraceTargetKind.Name, Target = "a-very-long-process-name" };

        Assert.Contains(settings.Validate(), e => e.Contains("15 bytes"));
    }

    [Fact]
    public void Commands_strace_starts_use_seccomp_only_with_a_trace_filter_and_keep_exits_visible()
    {
        var filtered = StraceCommandLine.ForCommand("/proc/1/fd/9", ["trace=openat"], "/bin/true", ["a"]);
        var unfiltered = StraceCommandLine.ForCommand("/proc/1/fd/9", [], "/bin/true", []);
        var attach = StraceCommandLine.ForPid("/proc/1/fd/9", ["status=failed"], 42);

        Assert.Contains("--seccomp-bpf", filtered);
        Assert.DoesNotContain("--seccomp-bpf", unfiltered);
        Assert.Equal(["--", "/bin/true", "a"], filtered.TakeLast(3));
        Assert.Equal(["-e", "status=failed", "-p", "42"], attach.TakeLast(4));
        Assert.DoesNotContain("-qq", filtered);
        Assert.DoesNotContain("-q", attach); // "Process 42 attached" on stderr says the attach worked
    }
}
