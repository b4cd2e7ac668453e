using System.Net;
using System.Net.Sockets;
using System.Text;
using MimeKit;

namespace WinBack.Testing;

/// <summary>
/// A real SMTP server on loopback that accepts every message (250 after the DATA terminator) and then drops the
/// connection before the client's QUIT: the server has the message, the client sees a broken connection. Whatever else
/// should go wrong at that moment (the database, say) happens in <c>beforeAccepting</c>. smtp-sink cannot be made to do
/// this, so this one speaks just enough SMTP (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) itself.
/// </summary>
public sealed class HangUpAfterDataSmtpServer : IDisposable
{
    private readonly Action _beforeAccepting;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<MimeMessage> _accepted = [];
    private readonly Task _accepting;

    public HangUpAfterDataSmtpServer(Action? beforeAccepting = null)
    {
        _beforeAccepting = beforeAccepting ?? (() => { });
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Every message the server accepted (answered 250 to), oldest first.</summary>
    public IReadOnlyList<MimeMessage> Accepted()
    {
        lock (_accepted) return [.. _accepted];
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => ConverseAsync(client));
        }
    }

    private async Task ConverseAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.Latin1);
                await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 localhost ESMTP test server");
                while (await reader.ReadLineAsync(_stopping.Token) is { } line)
                {
                    var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                    if (verb == "DATA")
                    {
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(_stopping.Token) is { } dataLine && dataLine != ".")
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        _beforeAccepting();
                        lock (_accepted) _accepted.Add(MimeMessage.Load(new MemoryStream(Encoding.Latin1.GetBytes(data.ToString()))));
                        await writer.WriteLineAsync("250 2.0.0 Ok: queued");
                        return;
                    }
                    await writer.WriteLineAsync(verb switch
                    {
                        "EHLO" or "HELO" => "250 localhost",
                        "MAIL" or "RCPT" or "RSET" or "NOOP" => "250 2.1.0 Ok",
                        "QUIT" => "221 2.0.0 Bye",
                        _ => "502 5.5.2 Command not recognized",
                    });
                    if (verb == "QUIT") return;
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
                // The client went away first.
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        _accepting.Wait(TimeSpan.FromSeconds(5));
        _stopping.Dispose();
    }
}
