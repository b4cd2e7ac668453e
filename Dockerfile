# syntax=docker/dockerfile:1
# WinBack's production image (the default target, "web") and the two simulators the compose stack runs locally.
#   docker build -t winback .                                  the app: web processes, the job server, `migrate`
#   docker build --target shopify-simulator -t winback-shopify-simulator .
#   docker build --target sheets-simulator -t winback-sheets-simulator .

FROM node:22-bookworm-slim AS node

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# WinBack.Web.csproj runs `npm ci` and Vite as part of its build: the SDK stage needs Node.js (Vite 8 wants 20 or later).
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
WORKDIR /src
# Restore and npm ci first, in layers of their own: they change less often than the code.
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY src/WinBack.Analytics/WinBack.Analytics.csproj src/WinBack.Analytics/
COPY src/WinBack.Shopify/WinBack.Shopify.csproj src/WinBack.Shopify/
COPY src/WinBack.Web/WinBack.Web.csproj src/WinBack.Web/
COPY src/WinBack.ShopifySimulator/WinBack.ShopifySimulator.csproj src/WinBack.ShopifySimulator/
COPY src/WinBack.SheetsSimulator/WinBack.SheetsSimulator.csproj src/WinBack.SheetsSimulator/
RUN for project in WinBack.Web WinBack.ShopifySimulator WinBack.SheetsSimulator; do dotnet restore src/$project; done
COPY src/WinBack.Web/ClientApp/package.json src/WinBack.Web/ClientApp/package-lock.json src/WinBack.Web/ClientApp/
RUN cd src/WinBack.Web/ClientApp && npm ci --no-audit --no-fund
COPY src/ src/
RUN dotnet publish src/WinBack.Web -c Release --no-restore -o /out/web \
 && dotnet publish src/WinBack.ShopifySimulator -c Release --no-restore -o /out/shopify-simulator \
 && dotnet publish src/WinBack.SheetsSimulator -c Release --no-restore -o /out/sheets-simulator

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS shopify-simulator
WORKDIR /app
COPY --from=build /out/shopify-simulator .
USER $APP_UID
ENTRYPOINT ["dotnet", "WinBack.ShopifySimulator.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS sheets-simulator
WORKDIR /app
COPY --from=build /out/sheets-simulator .
# The service account's key file is written here for WinBack to mount (a fresh volume takes this folder's owner).
RUN mkdir /keys && chown $APP_UID /keys
USER $APP_UID
ENTRYPOINT ["dotnet", "WinBack.SheetsSimulator.dll"]

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS web
WORKDIR /app
COPY --from=build /out/web .
# The image's own non-root user (uid 1654); Kestrel listens on ASPNETCORE_HTTP_PORTS (8080 in this image).
USER $APP_UID
EXPOSE 8080
# The runtime image has no curl: the app asks itself (GET /healthz on its own port; `healthcheck URL` for another).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["dotnet", "WinBack.Web.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "WinBack.Web.dll"]
