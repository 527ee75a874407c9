using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DBus.Auth;

/// <summary>
/// The DBUS_COOKIE_SHA1 keyring: <c>~/.dbus-keyrings/&lt;context&gt;</c>, lines <c>id created-time hex-cookie</c>, in a
/// directory only its owner may enter. The server creates and refreshes cookies under a lock file; the client only
/// reads (the server replaces the file by an atomic rename, so a reader never sees half of it).
/// </summary>
internal static class CookieKeyring
{
    public const string DefaultContext = "org_freedesktop_general";

    // The specification's and libdbus's timings.
    private const long NewKeyTimeoutSeconds = 5 * 60;
    private const long ExpireKeysTimeoutSeconds = NewKeyTimeoutSeconds + 2 * 60;
    private const long MaxTimeTravelSeconds = 5 * 60;
    private const int MaxKeys = 256;
    private const int LockAttempts = 32;
    private static readonly TimeSpan s_lockRetryDelay = TimeSpan.FromMilliseconds(250);

    private const UnixFileMode GroupOrOther =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public readonly record struct Cookie(int Id, long Created, string Secret);

    /// <summary><c>$HOME/.dbus-keyrings</c>, as libdbus and GDBus find it.</summary>
    public static string DefaultDirectory
    {
        get
        {
            string? home = Environment.GetEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }
            return Path.Combine(home, ".dbus-keyrings");
        }
    }

    /// <summary>A context names a file in the keyring directory: no separators, dots, spaces or control characters.</summary>
    public static bool IsValidContext(string context) =>
        context.Length > 0 && context.All(c => c is > ' ' and <= '~' and not '/' and not '\\' and not '.');

    /// <summary>Why the directory must not be used (group or others have access), or null when it is private.</summary>
    public static string? CheckPrivate(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }
        UnixFileMode mode = File.GetUnixFileMode(directory);
        if ((mode & GroupOrOther) != 0)
        {
            return $"the keyring directory '{directory}' is open to group or others (mode {Convert.ToString((int)mode, 8)}); it must be 700";
        }
        return null;
    }

    /// <summary>Finds the secret of cookie <paramref name="id"/> (client side).</summary>
    /// <returns>The secret, or the reason it cannot be had.</returns>
    public static async Task<(string? Secret, string? Problem)> FindAsync(string directory, string context, int id, CancellationToken cancellationToken)
    {
        if (!IsValidContext(context))
        {
            return (null, $"the server named an invalid keyring context '{context}'");
        }
        if (!Directory.Exists(directory))
        {
            return (null, $"the keyring directory '{directory}' does not exist");
        }
        if (CheckPrivate(directory) is { } problem)
        {
            return (null, problem);
        }
        string path = Path.Combine(directory, context);
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, Encoding.ASCII, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"the keyring '{path}' cannot be read: {ex.Message}");
        }
        foreach (Cookie cookie in Parse(text))
        {
            if (cookie.Id == id)
            {
                return (cookie.Secret, null);
            }
        }
        return (null, $"the keyring '{path}' has no cookie {id}");
    }

    /// <summary>Returns a cookie young enough to hand out, creating one if needed, and drops expired ones (server
    /// side). Creates the directory 700 and the file 600.</summary>
    /// <exception cref="IOException">The keyring cannot be locked, read or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The keyring directory is not private or not ours.</exception>
    public static async Task<Cookie> GetOrCreateAsync(string directory, string context, CancellationToken cancellationToken)
    {
        if (!IsValidContext(context))
        {
            ThrowHelper.ThrowArgument(nameof(context), $"invalid keyring context '{context}'");
        }
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        if (CheckPrivate(directory) is { } problem)
        {
            throw new UnauthorizedAccessException(problem);
        }

        string path = Path.Combine(directory, context);
        string lockPath = path + ".lock";
        await LockAsync(lockPath, cancellationToken).ConfigureAwait(false);
        try
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            List<Cookie> all = File.Exists(path) ? Parse(await File.ReadAllTextAsync(path, Encoding.ASCII, cancellationToken).ConfigureAwait(false)) : [];
            List<Cookie> kept = all.FindAll(c => c.Created - MaxTimeTravelSeconds <= now && c.Created >= now - ExpireKeysTimeoutSeconds);
            bool changed = kept.Count != all.Count;

            Cookie? recent = null;
            foreach (Cookie cookie in kept)
            {
                if (now - NewKeyTimeoutSeconds < cookie.Created && (recent is null || cookie.Created > recent.Value.Created))
                {
                    recent = cookie;
                }
            }
            if (recent is null)
            {
                if (kept.Count >= MaxKeys)
                {
                    kept.RemoveRange(0, kept.Count - MaxKeys + 1);
                }
                int id;
                do
                {
                    id = RandomNumberGenerator.GetInt32(1, int.MaxValue);
                }
                while (kept.Exists(c => c.Id == id));
                recent = new Cookie(id, now, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)));
                kept.Add(recent.Value);
                changed = true;
            }
            if (changed)
            {
                await SaveAsync(path, kept, cancellationToken).ConfigureAwait(false);
            }
            return recent.Value;
        }
        finally
        {
            File.Delete(lockPath);
        }
    }

    /// <summary>The SHA-1, in lowercase hex, of <c>server_challenge:client_challenge:cookie</c>.</summary>
    public static string Hash(string serverChallenge, string clientChallenge, string secret) =>
        Convert.ToHexStringLower(SHA1.HashData(Encoding.ASCII.GetBytes($"{serverChallenge}:{clientChallenge}:{secret}")));

    /// <summary>Parses keyring lines, skipping malformed ones and later duplicates of an id.</summary>
    public static List<Cookie> Parse(string text)
    {
        var cookies = new List<Cookie>();
        foreach (string rawLine in text.Split('\n'))
        {
            string[] fields = rawLine.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int id)
                || !long.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out long created)
                || fields[2].Length == 0 || fields[2].Length % 2 != 0 || !fields[2].All(char.IsAsciiHexDigit)
                || cookies.Exists(c => c.Id == id))
            {
                continue;
            }
            cookies.Add(new Cookie(id, created, fields[2]));
        }
        return cookies;
    }

    private static async Task LockAsync(string lockPath, CancellationToken cancellationToken)
    {
        for (int attempt = 0; attempt <= LockAttempts; attempt++)
        {
            if (attempt == LockAttempts)
            {
                // The spec's rule: a lock held this long belongs to a process that died; break it and try once more.
                File.Delete(lockPath);
            }
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                using (new FileStream(lockPath, options))
                {
                }
                return;
            }
            catch (IOException) when (File.Exists(lockPath) && attempt < LockAttempts)
            {
                await Task.Delay(s_lockRetryDelay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task SaveAsync(string path, List<Cookie> cookies, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        foreach (Cookie cookie in cookies)
        {
            text.Append(CultureInfo.InvariantCulture, $"{cookie.Id} {cookie.Created} {cookie.Secret}\n");
        }
        string temporary = path + "." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)) + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        try
        {
            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(text.ToString()), cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
