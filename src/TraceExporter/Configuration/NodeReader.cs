using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace TraceExporter.Configuration;

/// <summary>Typed reads of YAML nodes that record a located error instead of throwing.</summary>
internal sealed class NodeReader(string path, List<ConfigError> errors)
{
    /// <summary>The most series one metric may be allowed (each costs the daemon memory; 1,000,000 is a lot for one scrape).</summary>
    public const long MaxSeriesLimit = 1_000_000;

    /// <summary>The most keys one bpftrace map may be given (each preallocated in kernel memory, per CPU for count/sum maps).</summary>
    public const long MaxMapKeys = 4_194_304;

    public void Error(YamlNode node, string message) =>
        errors.Add(new ConfigError(path, (int)node.Start.Line, (int)node.Start.Column, message));

    public void Unknown(YamlNode keyNode, string? key, string expected, string what = "key") =>
        Error(keyNode, $"unknown {what} '{key}' (expected one of: {expected})");

    public YamlMappingNode? Mapping(YamlNode node, string what)
    {
        if (node is YamlMappingNode map)
        {
            foreach (var key in map.Children.Keys)
            {
                if (key is not YamlScalarNode)
                {
                    Error(key, $"{what}: keys must be plain names");
                    return null;
                }
            }

            return map;
        }

        Error(node, $"{what} must be a mapping of keys to values");
        return null;
    }

    public bool? Boolean(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: "true" or "false" } scalar)
        {
            return scalar.Value == "true";
        }

        Error(node, $"{what} must be true or false");
        return null;
    }

    public string? NonEmptyString(YamlNode node, string what)
    {
        if (node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            return value;
        }

        Error(node, $"{what} must be a non-empty string");
        return null;
    }

    public string? Choice(YamlNode node, string what, IReadOnlyList<string> choices)
    {
        if (node is YamlScalarNode { Value: { } value } && choices.Contains(value))
        {
            return value;
        }

        Error(node, $"{what} must be one of: {string.Join(", ", choices)}");
        return null;
    }

    public long? Integer(YamlNode node, string what, long min, long max)
    {
        if (node is YamlScalarNode { Value: { } text } && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }

            Error(node, $"{what} must be between {min} and {max}, not {text}");
            return null;
        }

        Error(node, $"{what} must be a whole number");
        return null;
    }

    /// <summary>A duration (<see cref="DurationText"/>): <c>500ms</c>, <c>5s</c>, <c>1m</c>, <c>1h</c>.</summary>
    public TimeSpan? Duration(YamlNode node, string what, TimeSpan min, TimeSpan max)
    {
        if (node is YamlScalarNode { Value: { } text } && DurationText.TryParse(text, out var value))
        {
            if (value >= min && value <= max)
            {
                return value;
            }

            Error(node, $"{what} must be between {DurationText.Format(min)} and {DurationText.Format(max)}, not {text.Trim()}");
            return null;
        }

        Error(node, $"{what} must be a duration such as {DurationText.Examples}");
        return null;
    }
}
