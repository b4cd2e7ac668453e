using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WinBack.Web.Data.Migrations
{
    /// <inheritdoc />
    public partial class ReportDataVersionBumpedAtCommit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The customers' statement triggers used to bump the shop's report data version at once, holding the
            // version row's lock until their transaction committed: concurrent webhook batches of one shop queued
            // behind each other (hundreds of milliseconds at 1,000 webhooks a second). Now a trigger only notes the
            // bump, and a deferred trigger applies it at commit, so the lock lives for the commit alone. The bump is
            // still in the same transaction as the change: a cached count is never older than the rows beside it.
            migrationBuilder.Sql("""
                CREATE TABLE report_data_version_bumps (
                    shop_id bigint NOT NULL,
                    transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id());

                CREATE OR REPLACE FUNCTION bump_report_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO report_data_version_bumps (shop_id) SELECT DISTINCT shop_id FROM changed_rows;
                    RETURN NULL;
                END $$;

                CREATE FUNCTION apply_report_data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM report_data_version_bumps WHERE shop_id = NEW.shop_id AND transaction_id = NEW.transaction_id;
                    IF FOUND THEN
                        INSERT INTO report_data_versions AS v (shop_id, version) VALUES (NEW.shop_id, 1)
                        ON CONFLICT (shop_id) DO UPDATE SET version = v.version + 1;
                    END IF;
                    RETURN NULL;
                END $$;

                CREATE CONSTRAINT TRIGGER report_data_version_bump_at_commit AFTER INSERT ON report_data_version_bumps
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION apply_report_data_version_bump();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER report_data_version_bump_at_commit ON report_data_version_bumps;
                DROP FUNCTION apply_report_data_version_bump();
                DROP TABLE report_data_version_bumps;
                CREATE OR REPLACE FUNCTION bump_report_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    INSERT INTO report_data_versions AS v (shop_id, version)
                    SELECT DISTINCT shop_id, 1 FROM changed_rows
                    ON CONFLICT (shop_id) DO UPDATE SET version = v.version + 1;
                    RETURN NULL;
                END $$;
                """);
        }
    }
}
