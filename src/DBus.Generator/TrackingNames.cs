namespace DBus.Generator;

/// <summary>Names of the pipeline steps, so tests can check what ran and what came from the cache.</summary>
internal static class TrackingNames
{
    /// <summary>XML files selected for generation, with their text and metadata.</summary>
    public const string Inputs = nameof(Inputs);

    /// <summary>One parsed <c>FileModel</c> per file.</summary>
    public const string Parse = nameof(Parse);

    /// <summary>The diagnostics of each file.</summary>
    public const string Diagnostics = nameof(Diagnostics);

    /// <summary>Interfaces split out of their files, one item each.</summary>
    public const string Interfaces = nameof(Interfaces);

    /// <summary>The emitted source of each interface.</summary>
    public const string Emit = nameof(Emit);

    /// <summary>The (hint name, path) pairs that lose a clash with another file.</summary>
    public const string HintNames = nameof(HintNames);

    /// <summary>Each emitted file after hint-name clashes are settled.</summary>
    public const string Settle = nameof(Settle);
}
