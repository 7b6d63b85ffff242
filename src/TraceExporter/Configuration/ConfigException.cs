namespace TraceExporter.Configuration;

/// <summary>A configuration that cannot be used; carries every mistake found, not just the first.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public ConfigException()
        : this([])
    {
    }

    public ConfigException(string message)
        : base(message)
    {
        Errors = [new ConfigError("", 0, 0, message)];
    }

    public ConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ConfigError("", 0, 0, message)];
    }

    public IReadOnlyList<ConfigError> Errors { get; } = [];
}
