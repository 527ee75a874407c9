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
}
