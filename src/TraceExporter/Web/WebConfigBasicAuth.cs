using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace TraceExporter.Web;

/// <summary>
/// HTTP basic authentication against <c>basic_auth_users</c>, for every path (as the exporter-toolkit does).
/// bcrypt is slow on purpose, so a user and password that verified once are remembered (by a SHA-256 of the
/// pair, never the password itself) and a scrape every second costs one check, not one a second.
/// </summary>
public sealed class WebConfigBasicAuth(RequestDelegate next, WebConfig config)
{
    private const int RememberedMax = 256;

    // Checked for unknown users too, so a wrong name takes as long as a wrong password.
    private static readonly string UnknownUserHash = BCrypt.Net.BCrypt.HashPassword("trace-exporter: no such user", 10);

    private readonly ConcurrentDictionary<string, bool> _verified = new(StringComparer.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        if (IsAuthorized(context.Request.Headers.Authorization.ToString()))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"trace-exporter\", charset=\"UTF-8\"";
        await context.Response.WriteAsync("Unauthorized\n").ConfigureAwait(false);
    }

    private bool IsAuthorized(string header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value)
            || !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            || value.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        var user = decoded[..colon];
        var password = decoded[(colon + 1)..];
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(user + "\0" + password)));
        if (_verified.ContainsKey(key))
        {
            return true;
        }

        var known = config.BasicAuthUsers.TryGetValue(user, out var hash);
        bool verified;
        try
        {
            verified = BCrypt.Net.BCrypt.Verify(password, known ? hash : UnknownUserHash) && known;
        }
        catch (BCrypt.Net.SaltParseException)
        {
            verified = false;
        }

        if (verified)
        {
            if (_verified.Count >= RememberedMax)
            {
                _verified.Clear();
            }

            _verified[key] = true;
        }

        return verified;
    }
}
