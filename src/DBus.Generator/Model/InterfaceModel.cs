namespace DBus.Generator.Model;

/// <summary>
/// One D-Bus interface with every C# name already resolved, so that the emitter only writes text.
/// </summary>
/// <param name="Name">The D-Bus interface name, e.g. <c>com.example.Calculator</c>.</param>
/// <param name="TypeName">The C# base name (<c>Calculator</c>); generated types add a prefix or suffix.</param>
/// <param name="Namespace">The C# namespace; empty for the global namespace.</param>
/// <param name="Generate">Client, Server or both, from the DBusGenerate metadata.</param>
/// <param name="HintName">The hint name of the generated file.</param>
/// <param name="Methods">Methods, in document order.</param>
/// <param name="Signals">Signals, in document order.</param>
/// <param name="Properties">Properties, in document order.</param>
/// <param name="Doc">Plain-text documentation from doc:doc or org.gtk.GDBus.DocString.</param>
/// <param name="Deprecated">Annotated org.freedesktop.DBus.Deprecated.</param>
/// <param name="IntrospectionXml">The interface re-serialized as introspection XML, without documentation.</param>
/// <param name="Location">The interface's name attribute, for diagnostics raised late.</param>
/// <param name="FaultInjection">Test hook: "emit" makes the emitter throw (see docs/generator.md).</param>
/// <param name="ValueTasks">The interface's <c>org.dbusgen.ValueTasks</c> setting (or the file's): the proxy's
/// <c>GetAllPropertiesAsync</c> returns a <c>ValueTask</c>.</param>
internal sealed record InterfaceModel(
    string Name,
    string TypeName,
    string Namespace,
    GenerateKinds Generate,
    string HintName,
    EquatableArray<MethodModel> Methods,
    EquatableArray<SignalModel> Signals,
    EquatableArray<PropertyModel> Properties,
    string? Doc,
    bool Deprecated,
    string IntrospectionXml,
    LocationInfo Location,
    string FaultInjection,
    bool ValueTasks = false);
