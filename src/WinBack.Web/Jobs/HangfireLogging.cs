using System.Collections.Immutable;
using Hangfire.AspNetCore;
using Hangfire.Logging;

namespace WinBack.Web.Jobs;

/// <summary>
/// Hangfire logs through one static provider per process. This one writes to the newest host that is still running
/// (a host registers on configuring Hangfire and leaves when its services are disposed), and drops the line when none is:
/// logging never throws into a job. Hangfire's own default wrote to the host that configured it last, and once that host
/// stopped, threw ObjectDisposedException ('LoggerFactory') into every other host's jobs. In production the process has
/// one host, and Hangfire's lines go to its logger.
/// </summary>
internal sealed class HangfireLogging : IDisposable
{
    private static readonly NewestHost Hosts = new();
    private readonly AspNetCoreLogProvider _host;

    public HangfireLogging(ILoggerFactory loggerFactory)
    {
        _host = new AspNetCoreLogProvider(loggerFactory);
        Hosts.Add(_host);
    }

    /// <summary>The provider to give Hangfire: the same for every host of the process.</summary>
    public static ILogProvider Provider => Hosts;

    public void Dispose() => Hosts.Remove(_host);

    private sealed class NewestHost : ILogProvider
    {
        private ImmutableList<ILogProvider> _running = [];

        public void Add(ILogProvider host) => ImmutableInterlocked.Update(ref _running, running => running.Add(host));

        public void Remove(ILogProvider host) => ImmutableInterlocked.Update(ref _running, running => running.Remove(host));

        public ILog GetLogger(string name) => new NamedLog(this, name);

        private sealed class NamedLog(NewestHost hosts, string name) : ILog
        {
            /// <summary>This name's logger in the host it last wrote to, made again only when that host is no longer the newest.</summary>
            private Bound? _bound;

            public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
            {
                var running = hosts._running;
                if (running.IsEmpty) return false;
                try
                {
                    var bound = _bound;
                    if (bound?.Host != running[^1]) _bound = bound = new Bound(running[^1], running[^1].GetLogger(name));
                    return bound.Log.Log(logLevel, messageFunc, exception);
                }
                catch (ObjectDisposedException)
                {
                    return false; // that host stopped between reading the list and writing the line
                }
            }

            private sealed record Bound(ILogProvider Host, ILog Log);
        }
    }
}
