using System.Linq;
using DBus.Generator.Helpers;
using DBus.Generator.Model;
using DBus.Generator.Naming;

using static DBus.Generator.Emitter.EmitterHelpers;

namespace DBus.Generator.Emitter;

/// <summary>
/// Writes <c>{N}Proxy</c>: the typed client of one object's interface. Every member builds its message with
/// <c>{N}Messages</c> and reads the answer with that type's static readers, so the proxy holds no marshalling
/// code of its own: it only wires messages to the connection (calls, sends, match rules, queues). Instance
/// members are reached through <c>this.</c> and generated locals start with <c>__</c>, so no parameter
/// name can hide them.
/// </summary>
internal static class ProxyEmitter
{
    private const string Connection = "global::DBus.DBusConnection";
    private const string Task = "global::System.Threading.Tasks.Task";
    private const string ValueTask = "global::System.Threading.Tasks.ValueTask";
    private const string Ct = "global::System.Threading.CancellationToken cancellationToken = default";
    private const string Subscription = "global::DBus.SignalSubscription";
    // Watch handlers run on the dispatch thread: the marker lets DBG2007 look for blocking calls in them.
    private const string DispatchThread = "[global::DBus.CodeAnalysis.DBusDispatchThread]";
    private const string MatchRule = "global::DBus.MatchRule";
    private const string PropertiesInterface = "org.freedesktop.DBus.Properties";

    public static void Emit(SourceWriter w, InterfaceModel model)
    {
        string className = model.TypeName + "Proxy";
        string messages = Qualified(model, model.TypeName + "Messages");

        w.WriteLine("/// <summary>");
        w.WriteLine($"/// A typed client of the D-Bus interface <c>{CSharpLiterals.DocText(model.Name)}</c> on one object: method calls,");
        w.WriteLine("/// properties and signals over a <see cref=\"global::DBus.DBusConnection\"/>. Messages are built and read by");
        w.WriteLine($"/// <see cref=\"{messages}\"/>; the proxy holds no state beyond its target and can be shared between threads.");
        w.WriteLine("/// </summary>");
        Remarks(w, model.Doc);
        w.WriteLine(DBusGenerator.Emitter.GeneratedCodeAttribute);
        Obsolete(w, model.Deprecated, "interface");
        w.WriteLine($"public sealed partial class {className}");
        w.OpenBrace();
        w.WriteLine("/// <summary>Creates a proxy for one object.</summary>");
        w.WriteLine("/// <param name=\"connection\">The connection calls and signals go through.</param>");
        w.WriteLine("/// <param name=\"destination\">The bus name that owns the object (signals are matched on it as their sender), or null on a peer-to-peer connection.</param>");
        w.WriteLine("/// <param name=\"path\">The object's path.</param>");
        w.WriteLine("/// <exception cref=\"global::System.ArgumentNullException\"><paramref name=\"connection\"/> is null.</exception>");
        w.WriteLine($"public {className}({Connection} connection, string? destination, global::DBus.ObjectPath path)");
        w.OpenBrace();
        w.WriteLine("global::System.ArgumentNullException.ThrowIfNull(connection);");
        w.WriteLine("this.Connection = connection;");
        w.WriteLine("this.Destination = destination;");
        w.WriteLine("this.Path = path;");
        w.WriteLine($"this.Messages = new {messages}(destination, path);");
        w.CloseBrace();
        w.WriteLine();
        w.WriteLine("/// <summary>The connection calls and signals go through.</summary>");
        w.WriteLine($"public {Connection} Connection {{ get; }}");
        w.WriteLine();
        w.WriteLine("/// <summary>The bus name that owns the object, or null on a peer-to-peer connection.</summary>");
        w.WriteLine("public string? Destination { get; }");
        w.WriteLine();
        w.WriteLine("/// <summary>The object's path.</summary>");
        w.WriteLine("public global::DBus.ObjectPath Path { get; }");
        w.WriteLine();
        w.WriteLine("/// <summary>The message generator the proxy is built on, for calls with other flags.</summary>");
        w.WriteLine($"public {messages} Messages {{ get; }}");
        EmitTimeout(w, className);

        foreach (var method in model.Methods)
        {
            EmitMethod(w, method, messages);
        }
        foreach (var property in model.Properties)
        {
            EmitProperty(w, property, messages);
        }
        if (model.Properties.Count > 0)
        {
            EmitPropertyBag(w, model, messages);
        }
        foreach (var signal in model.Signals)
        {
            EmitSignal(w, signal, messages);
        }
        if (model.Signals.Count > 0)
        {
            EmitSignalRule(w, messages);
        }
        if (model.Properties.Count > 0)
        {
            EmitPropertiesChangedRule(w, messages);
        }
        w.CloseBrace();
    }

    /// <summary>The per-proxy reply timeout: an init property and a copy with another value.</summary>
    private static void EmitTimeout(SourceWriter w, string className)
    {
        const string TimeSpan = "global::System.TimeSpan";
        w.WriteLine();
        w.WriteLine("/// <summary>");
        w.WriteLine("/// How long each method call and property access through this proxy waits for its reply before it fails with");
        w.WriteLine("/// <see cref=\"global::DBus.DBusNoReplyException\"/>; null (the default) for the connection's");
        w.WriteLine("/// <see cref=\"global::DBus.DBusConnectionOptions.DefaultCallTimeout\"/>, <see cref=\"global::System.Threading.Timeout.InfiniteTimeSpan\"/>");
        w.WriteLine("/// to wait for ever. Use <see cref=\"WithTimeout\"/> for a copy with another timeout.");
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\">The value is neither positive nor infinite.</exception>");
        w.WriteLine($"public {TimeSpan}? Timeout");
        w.OpenBrace();
        w.WriteLine("get => this.__timeout;");
        w.WriteLine("init => this.__timeout = __CheckTimeout(value);");
        w.CloseBrace();
        w.WriteLine();
        w.WriteLine($"private readonly {TimeSpan}? __timeout;");
        w.WriteLine();
        w.WriteLine("/// <summary>A proxy for the same object whose calls wait at most <paramref name=\"timeout\"/> for their replies (see <see cref=\"Timeout\"/>).</summary>");
        w.WriteLine("/// <param name=\"timeout\">Positive, <see cref=\"global::System.Threading.Timeout.InfiniteTimeSpan\"/>, or null for the connection's default.</param>");
        w.WriteLine("/// <returns>A new proxy; this one keeps its own timeout.</returns>");
        w.WriteLine("/// <exception cref=\"global::System.ArgumentOutOfRangeException\"><paramref name=\"timeout\"/> is neither positive nor infinite.</exception>");
        w.WriteLine($"public {className} WithTimeout({TimeSpan}? timeout) => new {className}(this.Connection, this.Destination, this.Path) {{ Timeout = timeout }};");
        w.WriteLine();
        w.WriteLine($"private static {TimeSpan}? __CheckTimeout({TimeSpan}? timeout)");
        w.OpenBrace();
        w.WriteLine($"if (timeout is {{ }} __value && __value <= {TimeSpan}.Zero && __value != global::System.Threading.Timeout.InfiniteTimeSpan)");
        w.OpenBrace();
        w.WriteLine("throw new global::System.ArgumentOutOfRangeException(nameof(timeout), __value, \"a reply timeout must be positive, or Timeout.InfiniteTimeSpan\");");
        w.CloseBrace();
        w.WriteLine("return timeout;");
        w.CloseBrace();
    }

    private static void EmitMethod(SourceWriter w, MethodModel method, string messages)
    {
        string? result = TypeMapper.ToTuple(method.OutArgs.Select(a => (ReceiveType(a), a.ElementName)).ToList());
        string call = $"this.Messages.{method.CSharpName}({string.Join(", ", method.InArgs.Select(a => a.ParameterName))})";
        w.WriteLine();
        if (method.NoReply)
        {
            w.WriteLine($"/// <summary>Sends a call of the D-Bus method <c>{CSharpLiterals.DocText(method.Name)}</c> without waiting: it is annotated NoReply.</summary>");
        }
        else
        {
            w.WriteLine($"/// <summary>Calls the D-Bus method <c>{CSharpLiterals.DocText(method.Name)}</c> and waits for its reply.</summary>");
        }
        Remarks(w, method.Doc);
        ParamDocs(w, method.InArgs);
        if (method.NoReply)
        {
            w.WriteLine("/// <param name=\"cancellationToken\">Checked once, before the call is sent.</param>");
            w.WriteLine("/// <returns>A completed task: the call is queued for sending.</returns>");
            w.WriteLine("/// <exception cref=\"global::DBus.DBusDisconnectedException\">The connection is closed.</exception>");
        }
        else
        {
            w.WriteLine("/// <param name=\"cancellationToken\">Abandons the wait (the call may still run on the other side).</param>");
            w.WriteLine($"/// <returns>{ResultDoc(method.OutArgs.Count)}{PooledResultDoc(method.OutArgs)}{AwaitOnce(method.ValueTask)}</returns>");
            CallExceptions(w);
        }
        Obsolete(w, method.Deprecated, "method");
        string parameters = string.Join("", method.InArgs.Select(a => SendType(a) + " " + a.ParameterName + ", "));
        string task = TaskType(method.ValueTask);
        string returnType = result is null || method.NoReply ? task : $"{task}<{result}>";
        w.WriteLine($"public {returnType} {method.CSharpName}Async({parameters}{Ct})");
        w.OpenBrace();
        if (method.NoReply)
        {
            w.WriteLine("if (cancellationToken.IsCancellationRequested)");
            w.OpenBrace();
            w.WriteLine($"return {task}.FromCanceled(cancellationToken);");
            w.CloseBrace();
            w.WriteLine($"this.Connection.Send({call});");
            w.WriteLine($"return {task}.CompletedTask;");
        }
        else if (result is null)
        {
            // The reply carries nothing to read; the connection has already turned an error reply into an exception.
            w.WriteLine(method.ValueTask
                ? $"return this.Connection.CallValueTaskAsync({call}, this.__timeout, cancellationToken);"
                : $"return this.Connection.CallAsync({call}, static __reply => true, this.__timeout, cancellationToken);");
        }
        else
        {
            w.WriteLine($"return this.Connection.{CallMethod(method.ValueTask)}({call}, {messages}.Read{method.CSharpName}Reply, this.__timeout, cancellationToken);");
        }
        w.CloseBrace();
    }

    private static void EmitProperty(SourceWriter w, PropertyModel property, string messages)
    {
        string name = CSharpLiterals.DocText(property.Name);
        if ((property.Access & PropertyAccess.Read) != 0)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>Reads the D-Bus property <c>{name}</c> (<c>{Sig(property.Signature)}</c>) with <c>org.freedesktop.DBus.Properties.Get</c>.</summary>");
            Remarks(w, property.Doc);
            w.WriteLine("/// <param name=\"cancellationToken\">Abandons the wait.</param>");
            w.WriteLine($"/// <returns>The property's value.{AwaitOnce(property.ValueTask)}</returns>");
            CallExceptions(w);
            Obsolete(w, property.Deprecated, "property");
            w.WriteLine($"public {TaskType(property.ValueTask)}<{property.CSharpType}> Get{property.CSharpName}Async({Ct}) =>");
            w.Indent();
            w.WriteLine($"this.Connection.{CallMethod(property.ValueTask)}(this.Messages.Get{property.CSharpName}(), {messages}.Read{property.CSharpName}, this.__timeout, cancellationToken);");
            w.Unindent();
        }
        if ((property.Access & PropertyAccess.Write) != 0)
        {
            w.WriteLine();
            w.WriteLine($"/// <summary>Writes the D-Bus property <c>{name}</c> (<c>{Sig(property.Signature)}</c>) with <c>org.freedesktop.DBus.Properties.Set</c>.</summary>");
            Remarks(w, property.Doc);
            w.WriteLine("/// <param name=\"value\">The new value.</param>");
            w.WriteLine("/// <param name=\"cancellationToken\">Abandons the wait (the value may still be set).</param>");
            w.WriteLine($"/// <returns>Completes when the object has accepted the value.{AwaitOnce(property.ValueTask)}</returns>");
            CallExceptions(w);
            Obsolete(w, property.Deprecated, "property");
            w.WriteLine($"public {TaskType(property.ValueTask)} Set{property.CSharpName}Async({property.CSharpType} value, {Ct}) =>");
            w.Indent();
            w.WriteLine(property.ValueTask
                ? $"this.Connection.CallValueTaskAsync(this.Messages.Set{property.CSharpName}(value), this.__timeout, cancellationToken);"
                : $"this.Connection.CallAsync(this.Messages.Set{property.CSharpName}(value), static __reply => true, this.__timeout, cancellationToken);");
            w.Unindent();
        }
    }

    private static void EmitPropertyBag(SourceWriter w, InterfaceModel model, string messages)
    {
        string bag = Qualified(model, model.TypeName + "Properties");
        string changed = $"({bag} Changed, string[] Invalidated)";
        w.WriteLine();
        w.WriteLine("/// <summary>Reads every property of this interface at once with <c>org.freedesktop.DBus.Properties.GetAll</c>.</summary>");
        w.WriteLine("/// <param name=\"cancellationToken\">Abandons the wait.</param>");
        w.WriteLine($"/// <returns>The values the object returned; a property it left out is null.{AwaitOnce(model.ValueTasks)}</returns>");
        CallExceptions(w);
        w.WriteLine($"public {TaskType(model.ValueTasks)}<{bag}> GetAllPropertiesAsync({Ct}) =>");
        w.Indent();
        w.WriteLine($"this.Connection.{CallMethod(model.ValueTasks)}(this.Messages.GetAll(), {messages}.ReadGetAll, this.__timeout, cancellationToken);");
        w.Unindent();

        w.WriteLine();
        w.WriteLine("/// <summary>");
        w.WriteLine("/// Calls <paramref name=\"handler\"/> for each <c>org.freedesktop.DBus.Properties.PropertiesChanged</c> signal the object");
        w.WriteLine("/// emits about this interface. The handler runs on the connection's dispatch thread; an exception it throws,");
        w.WriteLine("/// or a signal that cannot be read, is reported through <see cref=\"global::DBus.DBusConnection.CallbackFailed\"/>.");
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <param name=\"handler\">Gets the new values (a property the signal does not carry is null) and the names of the properties that changed without their value.</param>");
        w.WriteLine("/// <param name=\"cancellationToken\">Cancels adding the match rule.</param>");
        w.WriteLine("/// <returns>The subscription: dispose it to stop watching.</returns>");
        w.WriteLine($"public {Task}<{Subscription}> WatchPropertiesChangedAsync({DispatchThread} global::System.Action<{bag}, string[]> handler, {Ct})");
        w.OpenBrace();
        w.WriteLine("global::System.ArgumentNullException.ThrowIfNull(handler);");
        w.WriteLine("return this.Connection.AddSignalReceiverAsync(this.__PropertiesChangedRule(), __signal =>");
        w.OpenBrace();
        w.WriteLine($"var __changed = {messages}.ReadPropertiesChanged(__signal.Message);");
        w.WriteLine("handler(__changed.Changed, __changed.Invalidated);");
        w.CloseBrace(", cancellationToken);");
        w.CloseBrace();

        w.WriteLine();
        w.WriteLine("/// <summary>");
        w.WriteLine("/// Starts reading the <c>org.freedesktop.DBus.Properties.PropertiesChanged</c> signals the object emits about this");
        w.WriteLine("/// interface. The match rule is in place when the task completes, so no signal sent afterwards is missed; they wait");
        w.WriteLine("/// in a bounded queue until read. A signal that cannot be read is skipped, counted in");
        w.WriteLine("/// <see cref=\"global::DBus.SignalStream{T}.SkippedCount\"/> and reported through <see cref=\"global::DBus.DBusConnection.CallbackFailed\"/>.");
        w.WriteLine("/// </summary>");
        w.WriteLine("/// <param name=\"options\">The queue's capacity and what happens when it is full; null for the defaults.</param>");
        w.WriteLine("/// <param name=\"cancellationToken\">Cancels adding the match rule.</param>");
        w.WriteLine("/// <returns>The stream of the new values and the names of the properties that changed without their value, per signal: enumerate it, and dispose it to stop.</returns>");
        w.WriteLine($"public {Task}<global::DBus.SignalStream<{changed}>> ReadPropertiesChangedAsync(global::DBus.MessageQueueOptions? options = null, {Ct}) =>");
        w.Indent();
        w.WriteLine($"this.Connection.ReadSignalsAsync(this.__PropertiesChangedRule(), {messages}.ReadPropertiesChanged, options, cancellationToken);");
        w.Unindent();
    }

    private static void EmitSignal(SourceWriter w, SignalModel signal, string messages)
    {
        string name = CSharpLiterals.DocText(signal.Name);
        string? payload = TypeMapper.ToTuple(signal.Args.Select(a => (a.CSharpType, a.ElementName)).ToList());
        string handlerType = payload is null ? "global::System.Action" : $"global::System.Action<{payload}>";
        string itemType = payload ?? "global::System.ValueTuple";
        string member = CSharpLiterals.String(signal.Name);

        w.WriteLine();
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// Calls <paramref name=\"handler\"/> for each D-Bus signal <c>{name}</c> ({Args(signal.Signature)}) the object emits.");
        w.WriteLine("/// The handler runs on the connection's dispatch thread; an exception it throws, or a signal that cannot be");
        w.WriteLine("/// read, is reported through <see cref=\"global::DBus.DBusConnection.CallbackFailed\"/>.");
        w.WriteLine("/// </summary>");
        Remarks(w, signal.Doc);
        w.WriteLine($"/// <param name=\"handler\">{(payload is null ? "Called for each signal." : signal.Args.Count == 1 ? "Gets the signal's argument." : "Gets the signal's arguments.")}</param>");
        w.WriteLine("/// <param name=\"cancellationToken\">Cancels adding the match rule.</param>");
        w.WriteLine("/// <returns>The subscription: dispose it to stop watching.</returns>");
        Obsolete(w, signal.Deprecated, "signal");
        w.WriteLine($"public {Task}<{Subscription}> Watch{signal.CSharpName}Async({DispatchThread} {handlerType} handler, {Ct})");
        w.OpenBrace();
        w.WriteLine("global::System.ArgumentNullException.ThrowIfNull(handler);");
        string invoke = payload is null ? "handler()" : $"handler({messages}.Read{signal.CSharpName}(__signal.Message))";
        w.WriteLine($"return this.Connection.AddSignalReceiverAsync(this.__SignalRule({member}), __signal => {invoke}, cancellationToken);");
        w.CloseBrace();

        w.WriteLine();
        w.WriteLine("/// <summary>");
        w.WriteLine($"/// Starts reading the D-Bus signals <c>{name}</c> the object emits. The match rule is in place when the task completes,");
        w.WriteLine("/// so no signal sent afterwards is missed; they wait in a bounded queue until read. A signal that cannot be read is");
        w.WriteLine("/// skipped, counted in <see cref=\"global::DBus.SignalStream{T}.SkippedCount\"/> and reported through");
        w.WriteLine("/// <see cref=\"global::DBus.DBusConnection.CallbackFailed\"/>.");
        w.WriteLine("/// </summary>");
        Remarks(w, signal.Doc);
        w.WriteLine("/// <param name=\"options\">The queue's capacity and what happens when it is full; null for the defaults.</param>");
        w.WriteLine("/// <param name=\"cancellationToken\">Cancels adding the match rule.</param>");
        w.WriteLine($"/// <returns>The stream of {(payload is null ? "one empty value per signal" : signal.Args.Count == 1 ? "the argument of each signal" : "the arguments of each signal")}: enumerate it, and dispose it to stop.</returns>");
        Obsolete(w, signal.Deprecated, "signal");
        w.WriteLine($"public {Task}<global::DBus.SignalStream<{itemType}>> Read{signal.CSharpName}Async(global::DBus.MessageQueueOptions? options = null, {Ct}) =>");
        w.Indent();
        string reader = payload is null ? "static __message => default(global::System.ValueTuple)" : $"{messages}.Read{signal.CSharpName}";
        w.WriteLine($"this.Connection.ReadSignalsAsync(this.__SignalRule({member}), {reader}, options, cancellationToken);");
        w.Unindent();
    }

    private static void EmitSignalRule(SourceWriter w, string messages)
    {
        w.WriteLine();
        // Sender = destination: only the object's owner may raise its signals (the connection follows a
        // well-known name to its unique owner). On a peer-to-peer connection there is no sender to match.
        w.WriteLine($"private {MatchRule} __SignalRule(string member) => new {MatchRule}");
        w.OpenBrace();
        w.WriteLine("Type = global::DBus.MessageType.Signal,");
        w.WriteLine("Sender = this.Destination,");
        w.WriteLine($"Interface = {messages}.Interface,");
        w.WriteLine("Member = member,");
        w.WriteLine("Path = this.Path,");
        w.CloseBrace(";");
    }

    private static void EmitPropertiesChangedRule(SourceWriter w, string messages)
    {
        w.WriteLine();
        w.WriteLine($"private {MatchRule} __PropertiesChangedRule() => new {MatchRule}");
        w.OpenBrace();
        w.WriteLine("Type = global::DBus.MessageType.Signal,");
        w.WriteLine("Sender = this.Destination,");
        w.WriteLine($"Interface = {CSharpLiterals.String(PropertiesInterface)},");
        w.WriteLine("Member = \"PropertiesChanged\",");
        w.WriteLine("Path = this.Path,");
        w.WriteLine($"Args = {{ [0] = {messages}.Interface }},");
        w.CloseBrace(";");
    }

    /// <summary>What a call returns: a <c>ValueTask</c> where <c>org.dbusgen.ValueTasks</c> opted in.</summary>
    private static string TaskType(bool valueTask) => valueTask ? ValueTask : Task;

    /// <summary>The connection's typed call that returns <see cref="TaskType"/>.</summary>
    private static string CallMethod(bool valueTask) => valueTask ? "CallValueTaskAsync" : "CallAsync";

    /// <summary>Said of a ValueTask-returning call: its source is pooled, so the task is awaited once.</summary>
    private static string AwaitOnce(bool valueTask) => valueTask ? " Await the task once (<c>org.dbusgen.ValueTasks</c>): call <c>AsTask()</c> to combine or block on it." : "";

    private static void CallExceptions(SourceWriter w)
    {
        w.WriteLine("/// <exception cref=\"global::DBus.DBusException\">The object replied with an error (a typed subclass for the standard names), or with a reply of another signature.</exception>");
        w.WriteLine("/// <exception cref=\"global::DBus.DBusNoReplyException\">No reply arrived in time.</exception>");
        w.WriteLine("/// <exception cref=\"global::DBus.DBusDisconnectedException\">The connection was lost before the reply arrived.</exception>");
    }

    private static string ResultDoc(int outCount) => outCount switch
    {
        0 => "Completes when the reply arrives.",
        1 => "The out argument.",
        _ => "The out arguments.",
    };
}
