namespace TraceExporter.Configuration;

/// <summary>One mistake in a configuration file, located as compilers do: <c>file:line:column: message</c>.</summary>
public sealed record ConfigError(string File, int Line, int Column, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}:{Column}: {Message}" : $"{File}: {Message}";
}
