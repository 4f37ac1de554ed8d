-- An owner may delete their kit with its measurements (ijlucht/owners.py delete_kit): the readings go first, then
-- the kit. The rule of migration 022 stays what it protects: no reading may lose its kit, so a kit is refused
-- deletion only while readings refer to it.
CREATE OR REPLACE FUNCTION kits_are_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM readings WHERE kit_id = OLD.kit_id) THEN
        RAISE EXCEPTION 'kit % cannot be deleted: its readings refer to it; disable it instead', OLD.kit_id
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN OLD;
END
$$;
