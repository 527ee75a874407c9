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
}
