namespace TraceExporter.Strace;

/// <summary>A line that is none of strace's known shapes; counted as a parse error, never guessed at.</summary>
public sealed record UnrecognizedLine(int Pid, string Text) : StraceEvent(Pid);
