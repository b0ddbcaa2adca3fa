/* The pickers in Chinese, loaded on Chinese pages only (admin/app_base.html): Select2's
   prompts, and the date picker's months, weekdays (Monday first) and buttons. Loaded after
   Select2 and moment, before Flask-Admin's form.js attaches the pickers. */
(function ($, moment) {
  "use strict";

  $.extend($.fn.select2.defaults, {
    formatNoMatches: function () { return "没有找到匹配项"; },
    formatInputTooShort: function (input, min) {
      return "请再输入" + (min - input.length) + "个字";
    },
    formatInputTooLong: function (input, max) {
      return "请删去" + (input.length - max) + "个字";
    },
    formatSelectionTooBig: function (limit) { return "最多只能选择" + limit + "项"; },
    formatLoadMore: function () { return "正在加载更多结果…"; },
    formatSearching: function () { return "搜索中…"; },
    formatAjaxError: function () { return "加载失败，请重试"; },
    formatMatches: function (matches) { return "共有" + matches + "项结果，可用上下方向键选择"; }
  });

  // Flask-Admin's moment ships no locales; the date picker reads the month and weekday
  // names and the first weekday of moment's current locale when it is attached.
  moment.defineLocale("zh-cn", {
    months: ["一月", "二月", "三月", "四月", "五月", "六月", "七月", "八月", "九月", "十月",
             "十一月", "十二月"],
    monthsShort: ["1月", "2月", "3月", "4月", "5月", "6月", "7月", "8月", "9月", "10月",
                  "11月", "12月"],
    weekdays: ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    weekdaysShort: ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    weekdaysMin: ["日", "一", "二", "三", "四", "五", "六"],
    week: { dow: 1, doy: 4 }
  });
  moment.locale("zh-cn");

  // The picker's own buttons and labels are options of each picker: given to every picker
  // form.js attaches (its ready handler runs after this one).
  var words = { applyLabel: "确定", cancelLabel: "取消", fromLabel: "从", toLabel: "到",
                weekLabel: "周", customRangeLabel: "自定义" };
  $(function () {
    var attach = $.fn.daterangepicker;
    if (!attach) {
      return;
    }
    $.fn.daterangepicker = function (options, callback) {
      options = $.extend(true, { locale: words }, options);
      return attach.call(this, options, callback);
    };
  });
})(jQuery, moment);
