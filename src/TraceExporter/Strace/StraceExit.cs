namespace TraceExporter.Strace;

/// <summary>How a strace process ended: its exit code (null when it had to be killed) and the lines of its trace that could not be parsed.</summary>
public sealed record StraceExit(int? ExitCode, int UnrecognizedLines);
