using TraceExporter.Strace;

namespace TraceExporter.Tests.Strace;

public sealed class StraceLineParserTests
{
    private const string Missing = StraceFixture.WorkDirectory + "/missing.txt";
    private const string Present = StraceFixture.WorkDirectory + "/present.txt";

    [Fact]
    public void Five_missing_and_three_present_opens_are_counted_exactly_with_their_paths()
    {
        var calls = StraceFixture.Parse("opens_5_missing_3_present").OfType<SyscallEvent>().ToList();

        Assert.Equal(5, calls.Count(c => c is { Syscall: "openat", Outcome: SyscallOutcome.Error, Errno: "ENOENT", Path: Missing }));
        Assert.Equal(3, calls.Count(c => c is { Syscall: "openat", Outcome: SyscallOutcome.Ok, Errno: null, Path: Present }));
        Assert.All(calls, c => Assert.StartsWith("/", c.Path));
    }

    [Fact]
    public void Exit_lines_give_the_exit_code()
    {
        var exits = StraceFixture.Parse("opens_5_missing_3_present").OfType<ProcessExitEvent>().ToList();

        var exit = Assert.Single(exits);
        Assert.Equal(0, exit.ExitCode);
        Assert.Null(exit.KilledBy);
    }

    [Fact]
    public void Interleaved_processes_join_each_unfinished_call_with_its_own_resumed_half()
    {
        var text = File.ReadAllText(StraceFixture.PathOf("interleaved"));
        var events = StraceFixture.ParseText(text);
        var calls = events.OfType<SyscallEvent>().ToList();

        // Every line is one whole call, one first half, or one non-call event; nothing is lost or counted twice.
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var firstHalves = lines.Count(l => l.EndsWith("<unfinished ...>", StringComparison.Ordinal));
        Assert.True(firstHalves > 0, "the fixture should have unfinished calls");
        Assert.Equal(lines.Length - firstHalves, events.Count);
        Assert.DoesNotContain(events, e => e is UnrecognizedLine);

        // cat of the missing file failed in the child that ran it, cat of the present one did not.
        Assert.Contains(calls, c => c is { Syscall: "openat", Errno: "ENOENT", Path: Missing });
        Assert.Contains(calls, c => c is { Syscall: "openat", Outcome: SyscallOutcome.Ok, Path: Present });
        var exits = events.OfType<ProcessExitEvent>().Select(e => e.ExitCode).ToList();
        Assert.Contains(3, exits);
        Assert.Contains(1, exits);
        Assert.Contains(events, e => e is SignalEvent { Signal: "SIGCHLD" });
    }

    [Fact]
    public void A_resumed_call_keeps_the_arguments_of_its_first_half()
    {
        var events = StraceFixture.ParseText(
            """
            100 openat(AT_FDCWD, "\x2f\x61", O_RDONLY <unfinished ...>
            101 close(3)                = 0
            100 <... openat resumed>)   = -1 EACCES (Permission denied)
            101 read(0,  <unfinished ...>
            101 <... read resumed>"\x68\x69", 10) = 2
            """);

        Assert.Equal(
            [
                new SyscallEvent(101, "close", SyscallOutcome.Ok, null, null),
                new SyscallEvent(100, "openat", SyscallOutcome.Error, "EACCES", "/a"),
                new SyscallEvent(101, "read", SyscallOutcome.Ok, null, null),
            ],
            events);
    }

    [Fact]
    public void A_child_killed_by_a_signal_is_an_exit_with_the_signal_and_its_wait_is_ok()
    {
        var events = StraceFixture.Parse("killed");

        Assert.Contains(events, e => e is ProcessExitEvent { KilledBy: "SIGKILL", ExitCode: null });
        Assert.Contains(events, e => e is ProcessExitEvent { ExitCode: 4 });
        Assert.Contains(events, e => e is SyscallEvent { Syscall: "kill", Outcome: SyscallOutcome.Ok });
        Assert.Contains(events, e => e is SignalEvent { Signal: "SIGCHLD" });
    }

    [Fact]
    public void Status_failed_output_has_only_errors_with_errno_names()
    {
        var calls = StraceFixture.Parse("status_failed").OfType<SyscallEvent>().ToList();

        Assert.NotEmpty(calls);
        Assert.All(calls, c => Assert.Equal(SyscallOutcome.Error, c.Outcome));
        Assert.All(calls, c => Assert.Matches("^E[A-Z0-9]+$", c.Errno));
        Assert.Contains(calls, c => c is { Syscall: "openat", Errno: "ENOENT", Path: Missing });
    }

    [Fact]
    public void Network_calls_have_no_path_and_a_refused_connect_is_ECONNREFUSED()
    {
        var calls = StraceFixture.Parse("network").OfType<SyscallEvent>().ToList();

        Assert.Contains(calls, c => c is { Syscall: "connect", Errno: "ECONNREFUSED", Path: null });
        Assert.Contains(calls, c => c is { Syscall: "socket", Outcome: SyscallOutcome.Ok });
    }

    [Theory]
    [InlineData("odd_names_escaped")]
    [InlineData("odd_names_hex")]
    public void Odd_file_names_decode_to_the_same_exact_text_in_both_string_formats(string fixture)
    {
        var paths = StraceFixture.Parse(fixture).OfType<SyscallEvent>()
            .Where(c => c.Path?.StartsWith(StraceFixture.WorkDirectory, StringComparison.Ordinal) == true)
            .Select(c => c.Path!)
            .ToList();

        Assert.Equal(
            [
                StraceFixture.WorkDirectory + "/quote\"back\\slash\nnewline tab\té \\xff",
                StraceFixture.WorkDirectory + "/" + new string('x', 300),
            ],
            paths);
    }

    [Fact]
    public void Held_calls_marked_DELAYED_still_parse()
    {
        var call = Assert.Single(StraceFixture.Parse("delayed").OfType<SyscallEvent>());

        Assert.Equal(new SyscallEvent(call.Pid, "openat", SyscallOutcome.Error, "ENOENT", Missing), call);
    }

    [Fact]
    public void Two_processes_from_fork_in_a_script_interpreter_are_told_apart()
    {
        var events = StraceFixture.Parse("threads");
        var calls = events.OfType<SyscallEvent>().ToList();

        var failed = Assert.Single(calls, c => c.Path == Missing);
        var opened = Assert.Single(calls, c => c.Path == Present);
        Assert.NotEqual(failed.Pid, opened.Pid);
        Assert.Equal("ENOENT", failed.Errno);
        Assert.Contains(events, e => e is ProcessExitEvent { ExitCode: 2 } exit && exit.Pid == failed.Pid);
        Assert.DoesNotContain(events, e => e is UnrecognizedLine);
    }

    [Theory]
    [InlineData("5 exit_group(0)                     = ?", SyscallOutcome.Unknown, null)]
    [InlineData("5 read(0,  <unfinished ...>) = ?", SyscallOutcome.Unknown, null)]
    [InlineData("5 wait4(-1, 0x7ffd, 0, NULL)     = ? ERESTARTSYS (To be restarted if SA_RESTART is set)", SyscallOutcome.Error, "ERESTARTSYS")]
    [InlineData("5 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE, -1, 0) = 0x7f0e3c1d2000", SyscallOutcome.Ok, null)]
    [InlineData("5 poll([{fd=3, events=POLLIN}], 1, 10) = 0 (Timeout)", SyscallOutcome.Ok, null)]
    [InlineData("5 restart_syscall(<... resuming interrupted read ...>) = 0", SyscallOutcome.Ok, null)]
    [InlineData("[pid  5] openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (No such file or directory)", SyscallOutcome.Error, "ENOENT")]
    public void Return_values_map_to_outcome_and_errno(string line, SyscallOutcome outcome, string? errno)
    {
        var call = Assert.IsType<SyscallEvent>(new StraceLineParser().Parse(line));

        Assert.Equal(5, call.Pid);
        Assert.Equal(outcome, call.Outcome);
        Assert.Equal(errno, call.Errno);
    }

    [Theory]
    [InlineData("7 +++ killed by SIGSEGV (core dumped) +++", null, "SIGSEGV")]
    [InlineData("7 +++ exited with 255 +++", 255, null)]
    public void Exits_with_codes_and_signals(string line, int? code, string? signal)
    {
        Assert.Equal(new ProcessExitEvent(7, code, signal), new StraceLineParser().Parse(line));
    }

    [Fact]
    public void A_stop_is_a_signal_event()
    {
        Assert.Equal(new SignalEvent(9, "SIGSTOP"), new StraceLineParser().Parse("9 --- stopped by SIGSTOP ---"));
    }

    [Fact]
    public void A_resumed_half_without_its_first_half_still_counts_without_a_path()
    {
        // Attached while the process was inside the call: strace shows only the end.
        var call = Assert.IsType<SyscallEvent>(new StraceLineParser().Parse("8 <... openat resumed>) = -1 ENOENT (No such file or directory)"));

        Assert.Equal(new SyscallEvent(8, "openat", SyscallOutcome.Error, "ENOENT", null), call);
    }

    [Fact]
    public void A_call_cut_by_a_detach_is_not_counted_and_not_left_pending()
    {
        var parser = new StraceLineParser();

        Assert.Null(parser.Parse("4 read(0,  <unfinished ...>"));
        Assert.Null(parser.Parse("4 <... read resumed> <detached ...>"));
        Assert.Equal(0, parser.PendingCalls);
    }

    [Theory]
    [InlineData("12 something odd")]
    [InlineData("12 openat(AT_FDCWD, \"/x\", O_RDONLY")]
    [InlineData("12 +++ exited with x +++")]
    [InlineData("12 <... openat")]
    public void Lines_of_no_known_shape_are_unrecognized_not_guessed(string line)
    {
        Assert.IsType<UnrecognizedLine>(new StraceLineParser().Parse(line));
    }
}
