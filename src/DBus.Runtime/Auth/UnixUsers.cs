using System.Globalization;

namespace DBus.Auth;

/// <summary>Turns the user a DBUS_COOKIE_SHA1 client names (a decimal uid, or a login name) into a uid.</summary>
internal static class UnixUsers
{
    public static uint? ResolveUserId(string user)
    {
        if (uint.TryParse(user, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid))
        {
            return uid;
        }
        // /etc/passwd covers local users without a native call; others (NSS, LDAP) are not resolved.
        try
        {
            foreach (string line in File.ReadLines("/etc/passwd"))
            {
                string[] fields = line.Split(':');
                if (fields.Length >= 3 && fields[0] == user
                    && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out uid))
                {
                    return uid;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
        return null;
    }
}
