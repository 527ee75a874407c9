namespace DBus;

/// <summary>
/// The router's one seam to the object server: every method call addressed to the connection that no filter
/// handled goes here. The implementation sees the connection only through its façade (to reply, to report a failing
/// handler), never the router's state.
/// </summary>
internal interface IMethodCallHandler
{
    /// <summary>Answers <paramref name="call"/>, which arrived on <paramref name="connection"/>.</summary>
    /// <returns>True when an asynchronous handler now owns the call (and disposes it); false when the caller may
    /// dispose it.</returns>
    bool HandleMethodCall(DBusConnection connection, Message call);
}
