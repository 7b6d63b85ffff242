using CliWrap;

namespace TraceExporter.Strace;

/// <summary>
/// One strace process to run. <see cref="Arguments"/> gets the path strace must write its trace to (<c>-o</c>).
/// <see cref="NewSession"/> starts strace (and so the command it runs) in a session and process group of its
/// own, whose id is strace's pid, so the command can be stopped as a group without touching the daemon.
/// Standard streams are strace's, which a command strace starts inherits.
/// </summary>
public sealed record StraceInvocation(Func<string, IReadOnlyList<string>> Arguments)
{
    public bool NewSession { get; init; }

    public PipeSource StandardInput { get; init; } = PipeSource.Null;

    public PipeTarget StandardOutput { get; init; } = PipeTarget.Null;

    public PipeTarget StandardError { get; init; } = PipeTarget.Null;

    public Action<int>? OnStarted { get; init; }
}
