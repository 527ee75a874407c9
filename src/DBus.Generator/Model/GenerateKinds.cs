using System;

namespace DBus.Generator.Model;

/// <summary>What to generate for a file, from its <c>DBusGenerate</c> metadata.</summary>
[Flags]
internal enum GenerateKinds
{
    None = 0,
    Client = 1,
    Server = 2,
}
