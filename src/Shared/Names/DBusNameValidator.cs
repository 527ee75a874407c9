// Linked source: compiled into DBus.Runtime, DBus.Generator and DBus.Analyzers.
namespace DBus.Shared;

/// <summary>
/// Validation of the names of the D-Bus specification ("Valid Names" and "Valid Object Paths").
/// Each method returns null when the name is valid, or a sentence saying what is wrong. The overloads with
/// <c>position</c> also give the index of the one character to blame (an invalid character, the dot or slash that
/// makes an empty element, a leading or trailing separator), or -1 when no single character is (empty, too long,
/// too few elements), so the analyzers can point at it.
/// </summary>
internal static class DBusNameValidator
{
    public const int MaxNameLength = 255;

    /// <summary>A bus name: a unique name (<c>:1.42</c>) or a well-known name (<c>org.example.App</c>).</summary>
    public static string? ValidateBusName(string name) => ValidateBusName(name, out _);

    /// <inheritdoc cref="ValidateBusName(string)"/>
    public static string? ValidateBusName(string name, out int position)
    {
        position = -1;
        if (name.Length == 0)
        {
            return "a bus name must not be empty";
        }
        if (name.Length > MaxNameLength)
        {
            return $"a bus name is at most {MaxNameLength} characters; this one has {name.Length}";
        }
        bool unique = name[0] == ':';
        int start = unique ? 1 : 0;
        if (start == name.Length)
        {
            return "a bus name needs at least two elements separated by '.'";
        }
        if (name[start] == '.')
        {
            position = start;
            return "a bus name must not begin with '.'";
        }
        int elements = 1;
        int elementStart = start;
        for (int i = start; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '.')
            {
                if (i == elementStart)
                {
                    position = i;
                    return $"empty element at character {i}: a bus name must not contain '..' or end with '.'";
                }
                elements++;
                elementStart = i + 1;
                continue;
            }
            bool ok = IsAsciiLetter(c) || c == '_' || c == '-' || (c >= '0' && c <= '9' && (unique || i != elementStart));
            if (!ok)
            {
                position = i;
                return c >= '0' && c <= '9'
                    ? $"element of a well-known bus name begins with digit '{c}' at character {i}"
                    : $"character {Describe(c)} at {i} is not allowed in a bus name (only [A-Za-z0-9_-] and '.')";
            }
        }
        if (elementStart == name.Length)
        {
            position = name.Length - 1;
            return "a bus name must not end with '.'";
        }
        if (elements < 2)
        {
            return "a bus name needs at least two elements separated by '.'";
        }
        return null;
    }

    /// <summary>An interface name such as <c>org.freedesktop.DBus.Properties</c>.</summary>
    public static string? ValidateInterfaceName(string name) => ValidateDotted(name, "an interface name", out _);

    /// <inheritdoc cref="ValidateInterfaceName(string)"/>
    public static string? ValidateInterfaceName(string name, out int position) => ValidateDotted(name, "an interface name", out position);

    /// <summary>An error name: the same rules as an interface name.</summary>
    public static string? ValidateErrorName(string name) => ValidateDotted(name, "an error name", out _);

    /// <inheritdoc cref="ValidateErrorName(string)"/>
    public static string? ValidateErrorName(string name, out int position) => ValidateDotted(name, "an error name", out position);

    /// <summary>A member (method, signal or property) name such as <c>GetAll</c>.</summary>
    public static string? ValidateMemberName(string name) => ValidateMemberName(name, out _);

    /// <inheritdoc cref="ValidateMemberName(string)"/>
    public static string? ValidateMemberName(string name, out int position)
    {
        position = -1;
        if (name.Length == 0)
        {
            return "a member name must not be empty";
        }
        if (name.Length > MaxNameLength)
        {
            return $"a member name is at most {MaxNameLength} characters; this one has {name.Length}";
        }
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c >= '0' && c <= '9')
            {
                if (i == 0)
                {
                    position = 0;
                    return "a member name must not begin with a digit";
                }
                continue;
            }
            if (!IsAsciiLetter(c) && c != '_')
            {
                position = i;
                return $"character {Describe(c)} at {i} is not allowed in a member name (only [A-Za-z0-9_])";
            }
        }
        return null;
    }

    /// <summary>An object path such as <c>/org/freedesktop/DBus</c>.</summary>
    public static string? ValidateObjectPath(string path) => ValidateObjectPath(path, out _);

    /// <inheritdoc cref="ValidateObjectPath(string)"/>
    public static string? ValidateObjectPath(string path, out int position)
    {
        position = -1;
        if (path.Length == 0)
        {
            return "an object path must not be empty";
        }
        if (path[0] != '/')
        {
            position = 0;
            return "an object path must begin with '/'";
        }
        if (path.Length == 1)
        {
            return null;
        }
        if (path[path.Length - 1] == '/')
        {
            position = path.Length - 1;
            return "an object path other than '/' must not end with '/'";
        }
        for (int i = 1; i < path.Length; i++)
        {
            char c = path[i];
            if (c == '/')
            {
                if (path[i - 1] == '/')
                {
                    position = i;
                    return $"empty element at character {i}: an object path must not contain '//'";
                }
                continue;
            }
            if (!IsAsciiLetter(c) && c != '_' && !(c >= '0' && c <= '9'))
            {
                position = i;
                return $"character {Describe(c)} at {i} is not allowed in an object path (only [A-Za-z0-9_] and '/')";
            }
        }
        return null;
    }

    private static string? ValidateDotted(string name, string what, out int position)
    {
        position = -1;
        if (name.Length == 0)
        {
            return what + " must not be empty";
        }
        if (name.Length > MaxNameLength)
        {
            return $"{what} is at most {MaxNameLength} characters; this one has {name.Length}";
        }
        int elements = 1;
        int elementStart = 0;
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (c == '.')
            {
                if (i == elementStart)
                {
                    position = i;
                    return $"empty element at character {i}: {what} must not begin with '.' or contain '..'";
                }
                elements++;
                elementStart = i + 1;
                continue;
            }
            if (c >= '0' && c <= '9')
            {
                if (i == elementStart)
                {
                    position = i;
                    return $"element of {what} begins with digit '{c}' at character {i}";
                }
                continue;
            }
            if (!IsAsciiLetter(c) && c != '_')
            {
                position = i;
                return $"character {Describe(c)} at {i} is not allowed in {what} (only [A-Za-z0-9_] and '.')";
            }
        }
        if (elementStart == name.Length)
        {
            position = name.Length - 1;
            return what + " must not end with '.'";
        }
        if (elements < 2)
        {
            return what + " needs at least two elements separated by '.'";
        }
        return null;
    }

    private static bool IsAsciiLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

    private static string Describe(char c) =>
        c < 0x20 || c > 0x7e ? $"U+{(int)c:X4}" : $"'{c}'";
}
