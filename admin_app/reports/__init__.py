"""The workbooks staff hand to supervisors: the activity calendar, the roster (花名册),
care records and stock. Each builder takes rows already scoped by admin_app.access and
writes them through admin_app.xlsx."""
