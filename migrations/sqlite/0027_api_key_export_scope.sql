-- Reading the log page by page (`read`) and exporting it as one file
-- (`export`) became separate scopes. A key that could read could export:
-- it keeps both, so no automation that exports today stops working.
UPDATE api_keys SET scopes = scopes || ',export'
WHERE ',' || scopes || ',' LIKE '%,read,%'
  AND ',' || scopes || ',' NOT LIKE '%,export,%';
