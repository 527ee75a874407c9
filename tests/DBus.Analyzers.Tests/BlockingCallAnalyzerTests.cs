using DBus.Analyzers.Diagnostics;
using static DBus.Analyzers.Tests.TestHelper;

namespace DBus.Analyzers.Tests;

public class BlockingCallAnalyzerTests
{
    [Test]
    public async Task Blocking_call_in_a_handler_lambda_is_reported_at_the_called_name()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using DBus;
            using TestApi;

            class C
            {
                void M(Bus bus, Message call)
                {
                    bus.AddMatch("type='signal'", m => bus.{|#0:Call|}(call));
                    bus.AddFilter(m =>
                    {
                        bus.{|#1:RequestName|}("org.example.App");
                        return true;
                    });
                }
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("Bus.Call", "this handler"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("Bus.RequestName", "this handler"));
    }

    [Test]
    public async Task Method_group_handlers_and_dispatch_interfaces_are_reported()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using DBus;
            using TestApi;

            class Service : IHandler
            {
                private readonly Bus _bus = new();

                public void Start() => _bus.AddMatch("type='signal'", OnSignal);

                private void OnSignal(Message m) => _bus.{|#0:Call|}(m);

                public void Handle(Message call) => _bus.{|#1:Call|}(call);
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("Bus.Call", "'OnSignal' (it is passed as a handler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("Bus.Call", "'Handle' (it implements IHandler)"));
    }

    [Test]
    public async Task Blocking_calls_off_the_dispatch_thread_do_not_trigger()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System;
            using System.Threading.Tasks;
            using DBus;
            using TestApi;

            class C
            {
                private readonly Bus _bus = new();

                void M(Message call)
                {
                    _bus.Call(call);
                    Action later = () => _bus.Call(call);
                    _bus.AddMatch("type='signal'", m => Task.Run(() => _bus.Call(m)));
                    _bus.AddMatch("type='signal'", async m => await _bus.CallAsync(m));
                    _bus.AddMatch("type='signal'", m => { void Local() => _bus.Call(m); });
                }

                // Never registered as a handler.
                void NotAHandler(Message m) => _bus.Call(m);
            }
            """);
    }

    [Test]
    public async Task Handler_in_a_nested_type_is_reported_once()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using DBus;
            using TestApi;

            class Outer
            {
                class Inner
                {
                    private readonly Bus _bus = new();

                    public void Start() => _bus.AddMatch("type='signal'", OnSignal);

                    private void OnSignal(Message m) => _bus.{|#0:Call|}(m);
                }
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("Bus.Call", "'OnSignal' (it is passed as a handler)"));
    }

    [Test]
    public async Task Waiting_synchronously_for_a_connection_task_in_a_handler_is_reported_at_the_wait()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using DBus;

            class C
            {
                void M(DBusConnection connection, Message call, ProxyObject proxy)
                {
                    connection.AddMessageFilter((c, m) =>
                    {
                        _ = c.CallAsync(call).{|#0:Result|};
                        c.RequestNameAsync("org.example.A").{|#1:Wait|}();
                        _ = c.GetNameOwnerAsync("org.example.A").ConfigureAwait(false).GetAwaiter().{|#2:GetResult|}();
                        _ = proxy.CallAsync("org.example.I", "M", "").{|#3:Result|};
                        return MessageFilterResult.NotHandled;
                    });
                }
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("DBusConnection.CallAsync(…).Result", "this handler"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("DBusConnection.RequestNameAsync(…).Wait()", "this handler"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 2)
                .WithArguments("DBusConnection.GetNameOwnerAsync(…).GetAwaiter().GetResult()", "this handler"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 3).WithArguments("ProxyObject.CallAsync(…).Result", "this handler"));
    }

    [Test]
    public async Task Waiting_synchronously_for_the_next_queued_message_in_a_handler_is_reported()
    {
        // The queue and the stream are filled by the dispatch thread: waiting on it for their next message deadlocks.
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using DBus;

            class C
            {
                void M(DBusConnection connection, MessageQueue queue, SignalStream<string> stream)
                {
                    connection.AddMessageFilter((c, m) =>
                    {
                        using var next = queue.ReceiveAsync().{|#0:Result|};
                        _ = stream.ReceiveAsync().AsTask().{|#1:Result|};
                        return MessageFilterResult.NotHandled;
                    });
                    // Outside a handler the same wait is only slow, not a deadlock.
                    using var outside = queue.ReceiveAsync().Result;
                }
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("MessageQueue.ReceiveAsync(…).Result", "this handler"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("SignalStream.ReceiveAsync(…).Result", "this handler"));
    }

    [Test]
    public async Task Waiting_for_a_generated_proxy_task_in_a_handler_is_reported()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System.CodeDom.Compiler;
            using System.Threading.Tasks;
            using DBus;
            using TestApi;

            [GeneratedCode("DBusGen", "1.0")]
            sealed class CalculatorProxy
            {
                public Task<int> AddAsync(int a, int b) => Task.FromResult(a + b);

                public ValueTask<int> NegateAsync(int a) => new(-a);
            }

            [GeneratedCode("SomeOtherTool", "1.0")]
            sealed class OtherProxy
            {
                public Task<int> AddAsync(int a, int b) => Task.FromResult(a + b);
            }

            class C
            {
                void M(Bus bus, CalculatorProxy calculator, OtherProxy other)
                {
                    bus.AddMatch("type='signal'", m =>
                    {
                        _ = calculator.AddAsync(1, 2).{|#0:Result|};
                        _ = calculator.NegateAsync(1).AsTask().{|#1:Result|};
                        _ = calculator.NegateAsync(1).GetAwaiter().{|#2:GetResult|}();
                        _ = other.AddAsync(1, 2).Result;
                    });
                }
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("CalculatorProxy.AddAsync(…).Result", "this handler"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("CalculatorProxy.NegateAsync(…).Result", "this handler"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 2).WithArguments("CalculatorProxy.NegateAsync(…).GetAwaiter().GetResult()", "this handler"));
    }

    [Test]
    public async Task Waiting_for_tasks_off_the_dispatch_thread_or_not_ours_does_not_trigger()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System.Threading.Tasks;
            using DBus;
            using TestApi;

            class C
            {
                void M(DBusConnection connection, Message call, Bus bus, SignalSubscription subscription)
                {
                    _ = connection.CallAsync(call).Result;
                    connection.AddMessageFilter((c, m) =>
                    {
                        // Handed to the thread pool: the dispatch thread goes on.
                        Task.Run(() => c.CallAsync(call).Result);
                        _ = Task.Run(() => c.CallAsync(call).Wait());
                        // Tasks that do not wait for this connection's dispatch thread.
                        _ = Task.FromResult(1).Result;
                        _ = bus.CallAsync(call).Result;
                        subscription.DisposeAsync().AsTask().Wait();
                        // Awaited, not waited for.
                        _ = c.CallAsync(call).ContinueWith(t => t.Result);
                        return MessageFilterResult.NotHandled;
                    });
                }
            }
            """);
    }

    [Test]
    public async Task Waiting_for_a_generated_handler_interface_task_does_not_trigger()
    {
        // I{Name}Handler carries [GeneratedCode("DBusGen", …)] too, but its tasks are the user's own handler code
        // (a decorator forwarding to an inner handler), not answers the connection reads.
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System.CodeDom.Compiler;
            using System.Threading.Tasks;
            using DBus;

            [GeneratedCode("DBusGen", "1.0")]
            public interface ICalculatorHandler
            {
                ValueTask<int> AddAsync(int a, int b, MethodContext context);
            }

            class C
            {
                void M(DBusConnection connection, ICalculatorHandler inner, MethodContext context)
                {
                    connection.AddMessageFilter((c, m) =>
                    {
                        _ = inner.AddAsync(1, 2, context).AsTask().Result;
                        _ = inner.AddAsync(1, 2, context).GetAwaiter().GetResult();
                        return MessageFilterResult.NotHandled;
                    });
                }
            }
            """);
    }

    [Test]
    public async Task Local_functions_and_lambdas_called_in_a_handler_are_reported()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System;
            using DBus;
            using TestApi;

            class C : IHandler
            {
                private readonly Bus _bus = new();

                void M()
                {
                    _bus.AddMatch("type='signal'", m =>
                    {
                        Send();
                        void Send() => _bus.{|#0:Call|}(m);
                    });
                    _bus.AddMatch("type='signal'", m =>
                    {
                        Action send = () => _bus.{|#1:Call|}(m);
                        send?.Invoke();
                    });
                    _bus.AddMatch("type='signal'", m => ((Action)(() => _bus.{|#2:Call|}(m)))());
                    _bus.AddMatch("type='signal'", OnLocal);
                    void OnLocal(Message m) => _bus.{|#3:Call|}(m);
                    _bus.AddMatch("type='signal'", OnSignal);
                }

                private void OnSignal(Message m)
                {
                    Outer();
                    void Outer() => Inner();
                    void Inner() => _bus.{|#4:Call|}(m);
                }

                public void Handle(Message call)
                {
                    Reply();
                    void Reply() => _bus.{|#5:Call|}(call);
                }
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("Bus.Call", "'Send' (called in this handler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("Bus.Call", "the lambda in 'send' (called in this handler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 2).WithArguments("Bus.Call", "a lambda (called in this handler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 3).WithArguments("Bus.Call", "'OnLocal' (it is passed as a handler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 4)
                .WithArguments("Bus.Call", "'Inner' (called in 'Outer' (called in 'OnSignal' (it is passed as a handler)))"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 5).WithArguments("Bus.Call", "'Reply' (called in 'Handle' (it implements IHandler))"));
    }

    [Test]
    public async Task Local_functions_and_lambdas_that_may_run_elsewhere_do_not_trigger()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System;
            using System.Collections.Generic;
            using System.Threading.Tasks;
            using DBus;
            using TestApi;

            class C
            {
                private readonly Bus _bus = new();

                void M(Message call, List<Message> pending)
                {
                    _bus.AddMatch("type='signal'", m =>
                    {
                        Task.Run(Send);
                        void Send() => _bus.Call(m);
                    });
                    _bus.AddMatch("type='signal'", m =>
                    {
                        Action send = () => _bus.Call(m);
                        _ = Task.Run(send);
                    });
                    _bus.AddMatch("type='signal'", m =>
                    {
                        // Reassigned: which lambda runs is not known.
                        Action send = () => _bus.Call(m);
                        send = () => { };
                        send();
                    });
                    _bus.AddMatch("type='signal'", m => Task.Run(() => ((Action)(() => _bus.Call(m)))()));
                    // Called from the caller's thread only.
                    Local();
                    void Local() => _bus.Call(call);
                    Action later = () => _bus.Call(call);
                    later();
                }

                // A local function called only from code that is not a handler.
                void NotAHandler(Message m)
                {
                    Send();
                    void Send() => _bus.Call(m);
                }
            }
            """);
    }

    [Test]
    public async Task Method_groups_of_methods_declared_in_another_type_are_reported()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using DBus;
            using TestApi;

            class Service
            {
                private readonly Bus _bus = new();

                public void Start(Handlers handlers)
                {
                    _bus.AddMatch("type='signal'", Handlers.OnStatic);
                    _bus.AddMatch("type='signal'", handlers.OnInstance);
                    _bus.AddMatch("type='signal'", handlers.OnBoth);
                }
            }

            class Handlers
            {
                private static readonly Bus s_bus = new();

                public static void OnStatic(Message m) => s_bus.{|#0:Call|}(m);

                public void OnInstance(Message m)
                {
                    Local();
                    void Local() => s_bus.{|#1:RequestName|}("org.example.App");
                }

                // Passed from both types: reported once.
                public void OnBoth(Message m) => s_bus.{|#2:Call|}(m);

                public void Register() => s_bus.AddMatch("type='signal'", OnBoth);

                // Never passed as a handler.
                public void NotAHandler(Message m) => s_bus.Call(m);
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInCrossTypeHandler, 0).WithArguments("Bus.Call", "'OnStatic' (it is passed as a handler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInCrossTypeHandler, 1)
                .WithArguments("Bus.RequestName", "'Local' (called in 'OnInstance' (it is passed as a handler))"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 2).WithArguments("Bus.Call", "'OnBoth' (it is passed as a handler)"));
    }

    [Test]
    public async Task Implementations_of_the_runtime_handler_interface_are_reported()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System.Threading.Tasks;
            using DBus;
            using TestApi;

            class Manual : IDBusInterfaceHandler
            {
                private readonly Bus _bus = new();

                public string InterfaceName => "org.example.Manual";

                public string IntrospectionXml => _bus.{|#0:Call|}(null!).Signature.Value;

                public ValueTask HandleCallAsync(MethodContext context)
                {
                    _bus.{|#1:Call|}(context.Request);
                    return default;
                }

                void IDBusInterfaceHandler.WriteProperty(string name, ref MessageWriter writer) => _bus.{|#2:RequestName|}(name);

                public void SetProperty(string name, ref MessageReader reader) => _bus.{|#3:RequestName|}(name);
            }

            record ManualRecord(DBusConnection Connection) : IDBusInterfaceHandler
            {
                string IDBusInterfaceHandler.InterfaceName => "org.example.Record";

                string IDBusInterfaceHandler.IntrospectionXml => "<interface name='org.example.Record'/>";

                async ValueTask IDBusInterfaceHandler.HandleCallAsync(MethodContext context)
                {
                    _ = Connection.GetNameOwnerAsync("org.example.A").{|#4:Result|};
                    await Task.Delay(1);
                }

                public void WriteProperty(string name, ref MessageWriter writer) { }

                public void SetProperty(string name, ref MessageReader reader) { }
            }
            """,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("Bus.Call", "'IntrospectionXml' (it implements IDBusInterfaceHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("Bus.Call", "'HandleCallAsync' (it implements IDBusInterfaceHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 2).WithArguments("Bus.RequestName", "'WriteProperty' (it implements IDBusInterfaceHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 3).WithArguments("Bus.RequestName", "'SetProperty' (it implements IDBusInterfaceHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 4)
                .WithArguments("DBusConnection.GetNameOwnerAsync(…).Result", "'HandleCallAsync' (it implements IDBusInterfaceHandler)"));
    }

    /// <summary>The shape of the generator's server interface (tests/DBus.Generator.Tests/Snapshots/Calculator):
    /// it derives from the runtime's handler interface and implements that itself.</summary>
    private const string GeneratedHandlerShape = """
        namespace Example
        {
            [System.CodeDom.Compiler.GeneratedCode("DBusGen", "1.0")]
            public partial interface ICalculatorHandler : DBus.IDBusInterfaceHandler
            {
                System.Threading.Tasks.ValueTask<int> AddAsync(int a, int b, DBus.MethodContext context);

                double GetMemory();

                void SetMemory(double value);

                string DBus.IDBusInterfaceHandler.InterfaceName => "com.example.Calculator";

                string DBus.IDBusInterfaceHandler.IntrospectionXml => "<interface name='com.example.Calculator'/>";

                System.Threading.Tasks.ValueTask DBus.IDBusInterfaceHandler.HandleCallAsync(DBus.MethodContext context) => default;

                void DBus.IDBusInterfaceHandler.WriteProperty(string name, ref DBus.MessageWriter writer) { }

                void DBus.IDBusInterfaceHandler.SetProperty(string name, ref DBus.MessageReader reader) { }
            }
        }
        """;

    [Test]
    public async Task Implementations_of_a_generated_handler_interface_are_reported()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System.Threading.Tasks;
            using DBus;
            using Example;
            using TestApi;

            class Calculator : ICalculatorHandler
            {
                private readonly Bus _bus = new();

                public async ValueTask<int> AddAsync(int a, int b, MethodContext context)
                {
                    _bus.{|#0:Call|}(context.Request);
                    return a + b;
                }

                public double GetMemory() => _bus.{|#1:RequestName|}("org.example.A");

                public void SetMemory(double value) => _bus.{|#2:RequestName|}("org.example.A");
            }

            sealed record CalculatorRecord(DBusConnection Connection) : ICalculatorHandler
            {
                ValueTask<int> ICalculatorHandler.AddAsync(int a, int b, MethodContext context)
                {
                    using var reply = Connection.{|#3:Call|}(context.Request);
                    return ValueTask.FromResult(a + b);
                }

                double ICalculatorHandler.GetMemory() => 0;

                void ICalculatorHandler.SetMemory(double value) => Connection.{|#4:Flush|}();
            }

            abstract class CalculatorBase : ICalculatorHandler
            {
                protected readonly Bus Bus = new();

                public abstract ValueTask<int> AddAsync(int a, int b, MethodContext context);

                public double GetMemory() => 0;

                public virtual void SetMemory(double value) { }
            }

            sealed class DerivedCalculator : CalculatorBase
            {
                public override ValueTask<int> AddAsync(int a, int b, MethodContext context) => ValueTask.FromResult((int)Bus.{|#5:RequestName|}("org.example.A"));

                public override void SetMemory(double value) => Bus.{|#6:Call|}(null!);
            }
            """ + "\n" + GeneratedHandlerShape,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("Bus.Call", "'AddAsync' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("Bus.RequestName", "'GetMemory' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 2).WithArguments("Bus.RequestName", "'SetMemory' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 3).WithArguments("DBusConnection.Call", "'AddAsync' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 4).WithArguments("DBusConnection.Flush", "'SetMemory' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 5).WithArguments("Bus.RequestName", "'AddAsync' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 6).WithArguments("Bus.Call", "'SetMemory' (it implements ICalculatorHandler)"));
    }

    [Test]
    public async Task Handler_work_moved_off_the_dispatch_thread_or_not_implementing_the_interface_does_not_trigger()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System.Threading.Tasks;
            using DBus;
            using Example;
            using TestApi;

            class Calculator : ICalculatorHandler
            {
                private readonly Bus _bus = new();

                public ValueTask<int> AddAsync(int a, int b, MethodContext context)
                {
                    _ = Task.Run(() => _bus.Call(context.Request));
                    return ValueTask.FromResult(a + b);
                }

                public double GetMemory() => 0;

                public void SetMemory(double value) { }

                // Same name and shape as an interface method, but a static helper implements nothing.
                public static ValueTask<int> AddAsync(int a, int b, Bus bus) => ValueTask.FromResult((int)bus.RequestName("org.example.A"));
            }

            // The same members, but the class implements neither interface.
            class LookAlike
            {
                private readonly Bus _bus = new();

                public ValueTask HandleCallAsync(MethodContext context)
                {
                    _bus.Call(context.Request);
                    return default;
                }

                public ValueTask<int> AddAsync(int a, int b, MethodContext context) => ValueTask.FromResult((int)_bus.RequestName("org.example.A"));

                public void SetMemory(double value) => _bus.RequestName("org.example.A");
            }

            // An interface that does not derive from the marked one.
            interface IOther
            {
                void SetMemory(double value);
            }

            class Other : IOther
            {
                private readonly Bus _bus = new();

                public void SetMemory(double value) => _bus.RequestName("org.example.A");
            }
            """ + "\n" + GeneratedHandlerShape);
    }

    [Test]
    public async Task Code_after_an_await_that_always_yields_does_not_trigger()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System;
            using System.Threading.Tasks;
            using DBus;
            using Example;
            using TestApi;

            class Calculator : ICalculatorHandler
            {
                private readonly Bus _bus = new();

                public async ValueTask<int> AddAsync(int a, int b, MethodContext context)
                {
                    _bus.{|#0:Call|}(context.Request);
                    await Task.Yield();
                    _bus.Call(context.Request);
                    if (a > 0)
                    {
                        await Task.Delay(1).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                        Action later = () => _bus.Call(context.Request);
                        later();
                    }
                    return a + b;
                }

                public double GetMemory() => 0;

                public void SetMemory(double value) { }
            }

            class Service
            {
                private readonly Bus _bus = new();

                public void Start() => _bus.AddMatch("type='signal'", async m =>
                {
                    await Task.Delay(1).ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
                    _bus.Call(m);
                });
            }
            """ + "\n" + GeneratedHandlerShape,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("Bus.Call", "'AddAsync' (it implements ICalculatorHandler)"));
    }

    [Test]
    public async Task Code_after_an_await_that_may_complete_at_once_is_still_reported()
    {
        await VerifyAnalyzerAsync<BlockingCallAnalyzer>("""
            using System;
            using System.Threading.Tasks;
            using DBus;
            using Example;
            using TestApi;

            class Calculator : ICalculatorHandler
            {
                private readonly Bus _bus = new();

                public async ValueTask<int> AddAsync(int a, int b, MethodContext context)
                {
                    // Completed already: the code after it goes on on the dispatch thread.
                    await Task.CompletedTask;
                    _bus.{|#0:Call|}(context.Request);
                    // Returns to the captured context, which could be the thread itself.
                    await Task.Delay(1).ConfigureAwait(ConfigureAwaitOptions.ForceYielding | ConfigureAwaitOptions.ContinueOnCapturedContext);
                    _bus.{|#1:Call|}(context.Request);
                    if (a > 0)
                    {
                        await Task.Yield();
                    }
                    // The yield above may not have run.
                    _bus.{|#2:Call|}(context.Request);
                    return a + b;
                }

                public double GetMemory() => 0;

                public void SetMemory(double value) { }
            }

            class JumpingCalculator : ICalculatorHandler
            {
                private readonly Bus _bus = new();

                public async ValueTask<int> AddAsync(int a, int b, MethodContext context)
                {
                    if (a > 0)
                    {
                        goto Send;
                    }
                    await Task.Yield();
                Send:
                    // Reached by the goto without the yield.
                    _bus.{|#3:Call|}(context.Request);
                    return a + b;
                }

                public double GetMemory() => 0;

                public void SetMemory(double value) { }
            }
            """ + "\n" + GeneratedHandlerShape,
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 0).WithArguments("Bus.Call", "'AddAsync' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 1).WithArguments("Bus.Call", "'AddAsync' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 2).WithArguments("Bus.Call", "'AddAsync' (it implements ICalculatorHandler)"),
            Diagnostic(DiagnosticDescriptors.BlockingCallInHandler, 3).WithArguments("Bus.Call", "'AddAsync' (it implements ICalculatorHandler)"));
    }
}
